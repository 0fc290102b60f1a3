// The host page listens to the widgets' results (a provider could log them,
// or show its own hints); `geleit-result` bubbles out of the shadow root.
const log = document.getElementById('log');
document.addEventListener('geleit-result', (e) => {
  const d = e.detail;
  const codes = d.findings.map((f) => f.code).join(', ') || '—';
  log.textContent += `${d.domain}: ${d.verdict} (${codes})\n`;
});
