#!/usr/bin/env python3
"""Runs the reference tools against the live lab and compares with scenarios.json.

Must run inside the lab (tests/lab/verify and tests/lab/catalogue call it through
tests/lab/in):

    check.py verify       exit 1 and list every difference from scenarios.json
    check.py catalogue    rewrite the generated part of SCENARIOS.md (and verify)
    check.py observe      print what the tools say, as JSON

Oracles: Postfix posttls-finger (per domain and per MX host and address family),
delv with the lab anchor against the lab resolver (DNSSEC status of every RRset
named in a scenario's "dns" list), openssl s_client -starttls smtp -dane_tlsa_*
(per address, with the records the lab publishes), and, as extra columns in the
catalogue only, ldns-dane and danetool.
"""
import concurrent.futures
import json
import os
import re
import subprocess
import sys

LAB = os.path.dirname(os.path.abspath(__file__))
RUN = os.path.join(LAB, "run")
ANCHOR_BIND = os.path.join(RUN, "anchor", "bind.keys")
ANCHOR_KEY = os.path.join(RUN, "anchor", "root.key")


def tool(cmd, stdin="", timeout=30):
    # Some tools (danetool) leave temporary files in the working directory.
    scratch = os.path.join(RUN, "tmp")
    os.makedirs(scratch, exist_ok=True)
    try:
        p = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=timeout, cwd=scratch)
        return p.returncode, p.stdout + p.stderr
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"") + (e.stderr or b"")
        return -1, (out.decode() if isinstance(out, bytes) else out) + "\n[timeout]"


def bare(name):
    return name.rstrip(".") or "."


# ---------------------------------------------------------------------------
# delv: secure / insecure / bogus, and data / nodata / nxdomain


def delv(resolver, name, rtype):
    base = ["delv", "-a", ANCHOR_BIND, f"@{resolver}", bare(name), rtype]
    _, out = tool(base)
    answer = "data"
    if "$NXDOMAIN" in out:
        answer = "nxdomain"
    elif "$NXRRSET" in out:
        answer = "nodata"
    if "; fully validated" in out or "; negative response, fully validated" in out:
        return {"status": "secure", "answer": answer, "detail": ""}
    if "; unsigned answer" in out or "negative response, unsigned answer" in out:
        return {"status": "insecure", "answer": answer, "detail": ""}
    # The resolver said SERVFAIL: ask again with +cd to see why (delv validates itself).
    _, out2 = tool(base + ["+cd"])
    m = re.search(r";; validating ([^:]+): (.*)", out2)
    if m or "broken trust chain" in out2 or "validation failed" in out2:
        detail = f"{m.group(1)}: {m.group(2)}" if m else out2.strip().splitlines()[-1]
        return {"status": "bogus", "answer": "data", "detail": detail}
    return {"status": "error", "answer": "", "detail": " ".join(out.split())[:200]}


# ---------------------------------------------------------------------------
# posttls-finger


def posttls_finger(target, family=None):
    cmd = ["posttls-finger", "-l", "dane", "-P", "/etc/ssl/certs", "-t", "5", "-T", "10"]
    if family in ("ipv4", "ipv6"):
        cmd += ["-a", family]
    _, out = tool(cmd + [target])
    return classify_ptf(out), out


def classify_ptf(out):
    if "nullMX" in out:
        return "null-mx"
    if "TLSA lookup error" in out:
        return "dns-error:tlsa-lookup"
    if "Verified TLS connection established" in out:
        return "verified"
    if "Trusted TLS connection established" in out:
        return "trusted"
    if "Untrusted TLS connection established" in out or "Anonymous TLS connection established" in out:
        if "no matching DANE TLSA records" in out:
            why = "no-match"
        elif "certificate has expired" in out:
            why = "expired"
        elif "hostname mismatch" in out:
            why = "name-mismatch"
        elif "all TLSA records unusable" in out or "unsupported TLSA certificate usage" in out:
            why = "tlsa-unusable"
        else:
            why = "no-tlsa"
        return "untrusted:" + why
    if "Name service error" in out or "lookup failed" in out:
        return "dns-error:servfail" if "try again" in out else "dns-error:nxdomain"
    if re.search(r"< 250[ -]", out) and "STARTTLS" not in out:
        return "no-starttls"
    return "unknown"


# ---------------------------------------------------------------------------
# openssl s_client with the published TLSA records


def s_client(address, base, rdata, starttls_expected=True):
    connect = f"[{address}]:25" if ":" in address else f"{address}:25"
    cmd = ["openssl", "s_client", "-starttls", "smtp", "-connect", connect, "-name", "lab-client.example"]
    if rdata:
        # SMTP semantics: no name checks once a DANE-EE(3) record matched (RFC 7672 section 3.1.1),
        # as Postfix does; without the flag s_client reports a name mismatch (see SCENARIOS.md).
        cmd += ["-dane_tlsa_domain", bare(base), "-dane_ee_no_namechecks"]
        for r in rdata:
            cmd += ["-dane_tlsa_rrdata", r]
    _, out = tool(["timeout", "15"] + cmd, stdin="Q\n")
    return classify_openssl(out, bool(rdata)), out


def classify_openssl(out, had_records):
    if "Didn't find STARTTLS" in out:
        return "no-starttls"
    if "Failed to import any TLSA records" in out:
        return "unusable"
    m = re.search(r"Verify return code: (\d+)", out)
    if not m:
        return "no-handshake"
    code = int(m.group(1))
    if not had_records:
        return "no-tlsa"
    if code == 0:
        return "matched" if re.search(r"DANE TLSA .* (matched|signed the certificate)", out) else "pkix-ok"
    return {65: "no-match", 10: "expired", 62: "name-mismatch", 2: "no-issuer", 20: "no-issuer", 21: "no-issuer",
            18: "pkix-untrusted", 19: "pkix-untrusted"}.get(code, f"error:{code}")


# ---------------------------------------------------------------------------
# DoH through the CORS front (RFC 8484): GET, POST, OPTIONS preflight


def dns_query(name, qtype):
    """A DNS query in wire format with EDNS (DO bit set), id 0 as RFC 8484 section 4.1 recommends."""
    q = b"\x00\x00\x01\x00\x00\x01\x00\x00\x00\x00\x00\x01"
    for label in bare(name).split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\x00" + qtype.to_bytes(2, "big") + b"\x00\x01"
    return q + b"\x00\x00\x29\x10\x00\x00\x00\x80\x00\x00\x00"


def doh_checks(url):
    """Returns a list of problems with the DoH endpoint (empty when it behaves)."""
    import base64
    import urllib.request
    problems = []

    def call(method, data=None, query=None, headers=None):
        u = url + (f"?dns={query}" if query else "")
        req = urllib.request.Request(u, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()
        except OSError as e:
            return 0, {}, str(e).encode()

    status, hdr, _ = call("OPTIONS", headers={"Origin": "http://lab-browser.example",
                                               "Access-Control-Request-Method": "POST",
                                               "Access-Control-Request-Headers": "content-type"})
    if status != 204 or hdr.get("Access-Control-Allow-Origin") != "*" \
            or "content-type" not in hdr.get("Access-Control-Allow-Headers", ""):
        problems.append(f"DoH OPTIONS preflight: expected 204 with CORS headers, got {status} {hdr}")
    mx = dns_query("ee-spki.example.", 15)
    get_q = base64.urlsafe_b64encode(mx).decode().rstrip("=")
    for method, kw in (("GET", {"query": get_q}), ("POST", {"data": mx})):
        status, hdr, body = call(method, headers={"accept": "application/dns-message",
                                                  "content-type": "application/dns-message",
                                                  "Origin": "http://lab-browser.example"}, **kw)
        ok = status == 200 and len(body) > 12 and body[3] & 0x0F == 0 and body[3] & 0x20 \
            and hdr.get("Access-Control-Allow-Origin") == "*" and hdr.get("Content-Type") == "application/dns-message"
        if not ok:
            problems.append(f"DoH {method} ee-spki.example. MX: expected 200, NOERROR with AD and CORS, "
                            f"got {status} {body[:16].hex()} {hdr.get('Access-Control-Allow-Origin')}")
    # A bogus name: SERVFAIL with an RFC 8914 extended error (ede: yes).
    status, _, body = call("POST", data=dns_query("mx.bogus-expired.example.", 1),
                           headers={"content-type": "application/dns-message"})
    if status != 200 or len(body) < 12 or body[3] & 0x0F != 2 or b"\x00\x0f" not in body[12:]:
        problems.append(f"DoH POST mx.bogus-expired.example. A: expected SERVFAIL with an EDE option, "
                        f"got {status} {body[:16].hex()}")
    return problems


# ---------------------------------------------------------------------------
# Extra oracles for the catalogue (not compared: they are not in scenarios.json)


def danetool(host):
    _, out = tool(["danetool", "--check", bare(host), "--port", "25", "--starttls-proto", "smtp", "--local-dns"], timeout=30)
    m = re.search(r"Verification: (.*)", out)
    if m:
        return "matches" if "Certificate matches" in m.group(1) else m.group(1).strip().rstrip(".")
    m = re.search(r"dane_\w+: (.*)", out)
    if m:
        return m.group(1).strip().rstrip(".")
    if "Cannot resolve" in out:
        return "cannot resolve the host"
    return " ".join(out.split())[-80:]


def ldns_dane(host, chain_file):
    """ldns-dane cannot speak STARTTLS: it checks the chain the host serves (its first one) against the TLSA RRset."""
    _, out = tool(["ldns-dane", "-k", ANCHOR_KEY, "-c", chain_file, "verify", bare(host), "25"], timeout=20)
    if "dane-validated successfully" in out:
        return "validated"
    m = re.search(r"did not dane-validate, because: (.*)", out) or re.search(r"dane_\w+: (.*)", out)
    if m:
        return m.group(1).strip().rstrip(".")
    lines = [l.strip() for l in out.splitlines() if l.strip()]
    return (lines[-1] if lines else "no output")[:80]


def hash_slinger(host, address):
    _, out = tool(["tlsa", "--verify", "--port", "25", "--starttls", "smtp", bare(host)], timeout=30)
    for line in out.splitlines():
        if line.startswith(("SUCCESS", "FAIL")) and f"({address})" in line:
            return line.split(":")[0].strip()
    if "Traceback" in out:
        return "crash: " + out.strip().splitlines()[-1][:60]
    lines = [l.strip() for l in out.splitlines() if l.strip()]
    return (lines[-1] if lines else "no output")[:80]


# ---------------------------------------------------------------------------


def observe(doc, live, extra=False):
    resolver = doc["lab"]["resolver"]
    jobs = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as ex:
        for s in doc["scenarios"]:
            jobs[("domain", s["name"])] = ex.submit(posttls_finger, bare(s["domain"]))
            for i, q in enumerate(s["dns"]):
                jobs[("dns", s["name"], i)] = ex.submit(delv, resolver, q["name"], q["type"])
            for h in s["hosts"]:
                for fam in h["expect"]["posttls_finger"]:
                    jobs[("ptf", s["name"], h["name"], fam)] = ex.submit(posttls_finger, f"[{bare(h['name'])}]", fam)
                rdata = live["hosts"][h["name"]]["tlsa_rdata"]
                for a in h["a"] + h["aaaa"]:
                    jobs[("ossl", s["name"], h["name"], a)] = ex.submit(s_client, a, h["tlsa_base"], rdata)
                if extra and (h["a"] or h["aaaa"]):
                    jobs[("danetool", s["name"], h["name"])] = ex.submit(danetool, h["name"])
                    chains = live["hosts"][h["name"]]["chain_files"]
                    if chains:
                        jobs[("ldns", s["name"], h["name"])] = ex.submit(ldns_dane, h["name"], chains[0])
                    for a in h["a"]:
                        jobs[("hs", s["name"], h["name"], a)] = ex.submit(hash_slinger, h["name"], a)
        return {k: f.result() for k, f in jobs.items()}


def compare(doc, res):
    diffs = []
    for s in doc["scenarios"]:
        n = s["name"]
        got, out = res[("domain", n)]
        if got != s["expect"]["posttls_finger"]:
            diffs.append(f"{n}: posttls-finger {bare(s['domain'])}: expected {s['expect']['posttls_finger']}, got {got}")
        for i, q in enumerate(s["dns"]):
            r = res[("dns", n, i)]
            if (r["status"], r["answer"]) != (q["status"], q["answer"]):
                diffs.append(f"{n}: delv {q['name']} {q['type']}: expected {q['status']}/{q['answer']}, "
                             f"got {r['status']}/{r['answer']} {r['detail']}".rstrip())
        for h in s["hosts"]:
            for fam, want in h["expect"]["posttls_finger"].items():
                got, out = res[("ptf", n, h["name"], fam)]
                if got != want:
                    diffs.append(f"{n}: posttls-finger [{bare(h['name'])}] ({fam}): expected {want}, got {got}")
            for a, want in h["expect"]["openssl"].items():
                got, out = res[("ossl", n, h["name"], a)]
                if got != want:
                    diffs.append(f"{n}: openssl s_client {a} ({bare(h['tlsa_base'])}): expected {want}, got {got}")
    return diffs


BEGIN = "<!-- BEGIN GENERATED by tests/lab/catalogue: do not edit by hand -->"
END = "<!-- END GENERATED -->"


def catalogue(doc, live, res):
    L = [BEGIN, "", "Generated from the live lab by running the tools (`tests/lab/catalogue`); "
         "`tests/lab/verify` fails when posttls-finger, openssl s_client or delv differ from scenarios.json.", ""]
    L.append("Zones (all served by one `named`, views by destination address; signed by `dnssec-signzone`, "
             f"signatures valid {live['signature_days']} days from `up`):")
    L += ["", "| zone | server | algorithm | denial | signing |", "|---|---|---|---|---|"]
    for z in doc["zones"]:
        L.append(f"| `{z['name']}` | {z['server']} | {z['algorithm'] if z['signing'] != 'unsigned' else '-'} "
                 f"| {z['denial'] if z['signing'] != 'unsigned' else '-'} | {z['signing']} |")
    L += ["", "Per mail domain:", ""]
    L.append("| scenario | domain | what it exercises | posttls-finger (domain) | MX RRset (delv) |")
    L.append("|---|---|---|---|---|")
    for s in doc["scenarios"]:
        mx = next((res[("dns", s["name"], i)] for i, q in enumerate(s["dns"]) if q["type"] == "MX"), None)
        mxs = f"{mx['status']}/{mx['answer']}" if mx else "-"
        L.append(f"| `{s['name']}` | `{s['domain']}` | {s['description']} | {res[('domain', s['name'])][0]} | {mxs} |")
    L += ["", "Per MX host and address (posttls-finger per address family; openssl s_client -dane_tlsa_* with the "
          "published records; for comparison only, not checked by verify: ldns-dane -c <first served chain> verify, "
          "danetool --check --local-dns, hash-slinger tlsa --verify):", ""]
    L.append("| scenario | MX host | address | TLSA records (at owner) | posttls-finger | openssl s_client "
             "| ldns-dane (served chain) | danetool | hash-slinger |")
    L.append("|---|---|---|---|---|---|---|---|---|")
    for s in doc["scenarios"]:
        for h in s["hosts"]:
            recs = "<br>".join(
                f"`{r['usage']} {r['selector']} {r['matching']}` of {r['cert']}"
                + (f" cut to {r['truncate']} bytes" if "truncate" in r else "") for r in h["tlsa"]) or "none"
            owner = h["tlsa_owner"] + (f" → {h['tlsa_owner_cname']}" if "tlsa_owner_cname" in h else "") \
                + (f"` from `{h['tlsa_wildcard']}" if "tlsa_wildcard" in h else "")
            dt = res.get(("danetool", s["name"], h["name"]), "-")
            addrs = h["a"] + h["aaaa"] or ["-"]
            for a in addrs:
                fam = "ipv6" if ":" in a else ("ipv4" if a != "-" else "any")
                ptf = res[("ptf", s["name"], h["name"], fam)][0]
                ossl = res[("ossl", s["name"], h["name"], a)][0] if a != "-" else "-"
                hs = res.get(("hs", s["name"], h["name"], a), "-")
                ld = res.get(("ldns", s["name"], h["name"]), "-")
                L.append(f"| `{s['name']}` | `{h['name']}` | {a} | {recs} at `{owner}` | {ptf} | {ossl} | {ld} | {dt} "
                         f"| {hs} |")
    L += ["", "DNSSEC status of every RRset a scenario names (delv -a anchor @resolver; reason from +cd when bogus):", ""]
    L.append("| scenario | name | type | delv |")
    L.append("|---|---|---|---|")
    for s in doc["scenarios"]:
        for i, q in enumerate(s["dns"]):
            r = res[("dns", s["name"], i)]
            det = f" ({r['detail']})" if r["detail"] else ""
            L.append(f"| `{s['name']}` | `{q['name']}` | {q['type']} | {r['status']}/{r['answer']}{det} |")
    L += ["", END]
    path = os.path.join(LAB, "SCENARIOS.md")
    text = open(path).read() if os.path.exists(path) else f"# Lab scenarios\n\n{BEGIN}\n{END}\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        text = head + "\n".join(L) + tail
    else:
        text += "\n" + "\n".join(L) + "\n"
    with open(path, "w") as f:
        f.write(text)


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "verify"
    with open(os.path.join(LAB, "scenarios.json")) as f:
        doc = json.load(f)
    with open(os.path.join(RUN, "live.json")) as f:
        live = json.load(f)
    res = observe(doc, live, extra=(mode == "catalogue"))
    if mode == "observe":
        out = {" ".join(map(str, k)): (v if isinstance(v, (dict, str)) else v[0]) for k, v in res.items()}
        print(json.dumps(out, indent=1))
        return 0
    if mode == "catalogue":
        catalogue(doc, live, res)
    diffs = compare(doc, res) + doh_checks(doc["lab"]["doh"])
    checks = len(res) + 4
    if diffs:
        print(f"lab verify: {len(diffs)} difference(s) from scenarios.json ({checks} tool runs):")
        for d in diffs:
            print("  " + d)
        return 1
    print(f"lab verify: all {checks} tool runs agree with scenarios.json ({len(doc['scenarios'])} scenarios)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
