#!/usr/bin/env python3
"""Generates everything the lab serves, from tests/lab/scenarios.json, into a run folder.

    build.py RUN_DIR

Writes, from nothing (RUN_DIR must not hold an older build):
  pki/      keys and certificates per MX host (openssl; GnuTLS certtool for the
            back-dated, expired ones) and one key+chain PEM per served chain
  dns/      zone files, DNSSEC keys, signed zones (dnssec-signzone, bottom-up:
            a child's DS goes into its parent before the parent is signed)
  anchor/   the lab root's trust anchor as DS (root.ds) and DNSKEY (root.key)
  named/ unbound/ nginx/ postfix/   daemon configurations
  resolv.conf, addresses (one address per line, for `ip addr add`)
  live.json the generated facts (TLSA rdata, chain files) per scenario host

Only the Python standard library and the command line tools of bind9-utils,
openssl and gnutls-bin are used. Nothing here starts a daemon.
"""
import base64
import concurrent.futures
import datetime
import hashlib
import json
import os
import shutil
import subprocess
import sys

LAB = os.path.dirname(os.path.abspath(__file__))
SIG_DAYS = 30  # default signature lifetime: regenerate on every `up`, never commit signed zones
ALG_FLAGS = {"ECDSAP256SHA256": [], "ED25519": [], "RSASHA256": ["-b", "2048"]}
CHILD_NS = "ns.nic.example."
TLD_NS = "a.nic.example."
ROOT_NS = "a.root-lab."


def run(cmd, cwd=None, stdin=None):
    """Runs a tool; on failure shows its output and stops the build."""
    p = subprocess.run(cmd, cwd=cwd, input=stdin, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"build: {' '.join(cmd)} failed ({p.returncode}):\n{p.stdout}{p.stderr}")
    return p.stdout


def bare(name):
    """DNS name without the trailing dot, as used in certificates."""
    return name.rstrip(".")


def slug(name):
    return bare(name).replace(".", "_").replace("*", "wild") or "root"


# ---------------------------------------------------------------------------
# PKI


def genkey(path, kind):
    if kind == "rsa":
        run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path])
    else:
        run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path])


def make_ca(d, label):
    key, pem = f"{d}/ca.key", f"{d}/ca.pem"
    if not os.path.exists(pem):
        genkey(key, "ec")
        run(["openssl", "req", "-x509", "-key", key, "-out", pem, "-days", "3650", "-subj",
             f"/O=Geleit lab/CN=Geleit Lab CA for {label}",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
    return key, pem


def make_leaf(d, cid, kind, issuer, names, expired):
    """One leaf certificate. Returns (key path, cert path)."""
    key, pem = f"{d}/{cid}.key", f"{d}/{cid}.pem"
    genkey(key, kind)
    if expired:
        # openssl x509 (3.0) cannot back-date; certtool takes dates from a template.
        tmpl = f"{d}/{cid}.tmpl"
        with open(tmpl, "w") as f:
            f.write(f'cn = "{names[0]}"\n')
            for n in names:
                f.write(f'dns_name = "{n}"\n')
            f.write('activation_date = "2020-01-01 00:00:00"\n'
                    'expiration_date = "2021-01-01 00:00:00"\n'
                    'serial = 1001\ntls_www_server\nsigning_key\n')
            if kind == "rsa":
                f.write("encryption_key\n")
        if issuer == "self":
            run(["certtool", "--generate-self-signed", "--load-privkey", key, "--template", tmpl, "--outfile", pem])
        else:
            ca_key, ca_pem = make_ca(d, names[0])
            run(["certtool", "--generate-certificate", "--load-privkey", key, "--load-ca-certificate", ca_pem,
                 "--load-ca-privkey", ca_key, "--template", tmpl, "--outfile", pem])
        return key, pem
    san = ",".join(f"DNS:{n}" for n in names)
    ku = "digitalSignature,keyEncipherment" if kind == "rsa" else "digitalSignature"
    if issuer == "self":
        run(["openssl", "req", "-x509", "-key", key, "-out", pem, "-days", "365", "-subj", f"/CN={names[0]}",
             "-addext", f"subjectAltName={san}", "-addext", "basicConstraints=critical,CA:FALSE",
             "-addext", f"keyUsage=critical,{ku}", "-addext", "extendedKeyUsage=serverAuth"])
    else:
        ca_key, ca_pem = make_ca(d, names[0])
        csr, ext = f"{d}/{cid}.csr", f"{d}/{cid}.ext"
        run(["openssl", "req", "-new", "-key", key, "-out", csr, "-subj", f"/CN={names[0]}"])
        with open(ext, "w") as f:
            f.write(f"subjectAltName={san}\nbasicConstraints=critical,CA:FALSE\n"
                    f"keyUsage=critical,{ku}\nextendedKeyUsage=serverAuth\n")
        run(["openssl", "x509", "-req", "-in", csr, "-CA", ca_pem, "-CAkey", ca_key, "-set_serial", "4097",
             "-days", "365", "-extfile", ext, "-out", pem])
    return key, pem


def build_doh_pki(run_dir):
    """The lab DoH front's TLS certificate (nginx, https://127.0.0.1:8443): a
    leaf for the address 127.0.0.1 from its own lab CA (run/doh/ca.pem, which
    clients trust with `--doh-ca` / GELEIT_DOH_CA)."""
    d = f"{run_dir}/doh"
    os.makedirs(d, exist_ok=True)
    ca_key, ca_pem = make_ca(d, "DoH")
    key, pem, csr, ext = f"{d}/server.key", f"{d}/server.pem", f"{d}/server.csr", f"{d}/server.ext"
    genkey(key, "ec")
    run(["openssl", "req", "-new", "-key", key, "-out", csr, "-subj", "/CN=127.0.0.1"])
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=critical,CA:FALSE\n"
                "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n")
    run(["openssl", "x509", "-req", "-in", csr, "-CA", ca_pem, "-CAkey", ca_key, "-set_serial", "4099",
         "-days", "365", "-extfile", ext, "-out", pem])


def build_sts(run_dir, doc):
    """MTA-STS policy hosts (RFC 8461 §3.3): per scenario with a
    `mail_policy`, a certificate for mta-sts.<domain> from the lab's MTA-STS
    CA (run/sts/ca.pem, which `geleit check --sts-ca` trusts) or, for
    `serve: bad-cert`, from another CA nobody trusts; the policy file; and
    nginx's server block on <sts_host>:443. Returns the server blocks."""
    d = f"{run_dir}/sts"
    os.makedirs(f"{d}/untrusted", exist_ok=True)
    ca_key, ca_pem = make_ca(d, "MTA-STS")
    bad_key, bad_pem = make_ca(f"{d}/untrusted", "nobody")
    blocks = []
    for s in doc["scenarios"]:
        mp = s.get("mail_policy")
        if not mp:
            continue
        host = f"mta-sts.{bare(s['domain'])}"
        hd = f"{d}/{host}"
        os.makedirs(f"{hd}/root/.well-known", exist_ok=True)
        key, csr, ext, pem = f"{hd}/server.key", f"{hd}/server.csr", f"{hd}/server.ext", f"{hd}/server.pem"
        genkey(key, "ec")
        run(["openssl", "req", "-new", "-key", key, "-out", csr, "-subj", f"/CN={host}"])
        with open(ext, "w") as f:
            f.write(f"subjectAltName=DNS:{host}\nbasicConstraints=critical,CA:FALSE\n"
                    "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n")
        (k, c) = (bad_key, bad_pem) if mp["serve"] == "bad-cert" else (ca_key, ca_pem)
        run(["openssl", "x509", "-req", "-in", csr, "-CA", c, "-CAkey", k, "-set_serial", "4100",
             "-days", "365", "-extfile", ext, "-out", pem])
        policy = mp["policy"]
        pad = "".join(f"x_pad{i}: {'p' * 100}\n" for i in range(1000))
        if mp["serve"] == "oversized":
            # A valid start, then far more than the 64 KiB a sender reads.
            policy += pad
        elif mp["serve"] == "slow":
            # About 300 bytes at 16 bytes a second: longer than any fetch budget.
            policy += "".join(f"x_slow{i}: {'s' * 40}\n" for i in range(5))
        elif mp["serve"] == "endless":
            # Server-side includes: no Content-Length, a chunked body of about
            # 10 MB, so only counting the bytes read stops it.
            with open(f"{hd}/root/pad.txt", "w", newline="") as f:
                f.write(pad.replace("\n", "\r\n"))
            policy += '<!--# include file="/pad.txt" -->\n' * 100
        with open(f"{hd}/root/.well-known/mta-sts.txt", "w", newline="") as f:
            f.write(policy.replace("\n", "\r\n"))
        if mp["serve"] == "redirect":
            body = f"return 301 https://www.{bare(s['domain'])}/.well-known/mta-sts.txt;"
        elif mp["serve"] == "slow":
            body = f"root {hd}/root; limit_rate 16; limit_rate_after 0;"
        elif mp["serve"] == "endless":
            body = f"root {hd}/root; ssi on; ssi_types text/plain;"
        else:
            body = f"root {hd}/root;"
        blocks.append(f"""  server {{
    listen {mp['sts_host']}:443 ssl;
    server_name {host};
    ssl_certificate {pem};
    ssl_certificate_key {key};
    ssl_protocols TLSv1.2 TLSv1.3;
    location = /.well-known/mta-sts.txt {{
      types {{ }}
      default_type text/plain;
      {body}
    }}
    location = /pad.txt {{ internal; root {hd}/root; }}
    location / {{ return 404; }}
  }}
""")
    return "".join(blocks)


def pem_der(pem_text, label):
    start = pem_text.index(f"-----BEGIN {label}-----") + len(f"-----BEGIN {label}-----")
    end = pem_text.index(f"-----END {label}-----")
    return base64.b64decode("".join(pem_text[start:end].split()))


def tlsa_data(cert_path, selector, matching):
    if selector == 0:
        with open(cert_path) as f:
            der = pem_der(f.read(), "CERTIFICATE")
    else:
        der = pem_der(run(["openssl", "x509", "-in", cert_path, "-pubkey", "-noout"]), "PUBLIC KEY")
    if matching == 0:
        return der
    if matching == 1:
        return hashlib.sha256(der).digest()
    return hashlib.sha512(der).digest()


def build_host_pki(run_dir, host):
    """Keys, certificates and served chain files of one MX host; TLSA rdata."""
    d = f"{run_dir}/pki/{slug(host['name'])}"
    os.makedirs(d, exist_ok=True)
    default_names = list(dict.fromkeys([bare(host["name"]), bare(host["tlsa_base"])]))
    certs = {}
    chain_files = []
    for ch in host["tls"]["chains"]:
        names = ch.get("names", default_names)
        key, pem = make_leaf(d, ch["id"], ch["key"], ch["issuer"], names, ch.get("expired", False))
        certs[ch["id"] + ".leaf"] = pem
        parts = [key, pem]
        if ch["issuer"] == "ca":
            certs[ch["id"] + ".ca"] = f"{d}/ca.pem"
            if ch.get("send_ca", True):
                parts.append(f"{d}/ca.pem")
        chain = f"{d}/{ch['id']}.chain.pem"
        with open(chain, "w") as out:
            for p in parts:
                with open(p) as f:
                    out.write(f.read())
        chain_files.append(chain)
    if any(r["cert"] == "spare" for r in host["tlsa"]):
        # A key the server does not use: the previous key of a renewed server.
        _, certs["spare"] = make_leaf(d, "spare", "ec", "self", default_names, False)
    rdata = []
    for r in host["tlsa"]:
        data = tlsa_data(certs[r["cert"]], r["selector"], r["matching"])
        if "truncate" in r:
            data = data[: r["truncate"]]
        rdata.append(f"{r['usage']} {r['selector']} {r['matching']} {data.hex()}")
    info = {"dir": d, "certs": certs, "chain_files": chain_files, "tlsa_rdata": rdata,
            "ca": certs.get("main.ca")}
    if host["tls"].get("install"):
        # Postfix reads the first chain from an install directory as two files
        # (smtpd_tls_chain_files = privkey.pem, fullchain.pem), where a deploy
        # hook puts a renewed certificate (scripts/hooks/geleit-certbot-hook).
        first = host["tls"]["chains"][0]
        inst = f"{d}/install"
        os.makedirs(inst, exist_ok=True)
        with open(f"{d}/{first['id']}.key") as f:
            key_text = f.read()
        fd = os.open(f"{inst}/privkey.pem", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(key_text)
        parts = [f"{d}/{first['id']}.pem"] + ([f"{d}/ca.pem"] if first["issuer"] == "ca" else [])
        with open(f"{inst}/fullchain.pem", "w") as out:
            for p in parts:
                with open(p) as f:
                    out.write(f.read())
        info["install_dir"] = inst
    return info


# ---------------------------------------------------------------------------
# DNS


def zone_of(name, zones):
    """The zone holding a name: the longest zone name that is a suffix of it."""
    best = None
    for z in zones:
        zn = z["name"]
        if zn == "." or name == zn or name.endswith("." + zn):
            if best is None or len(zn) > len(best):
                best = zn
    return best


def collect_records(doc, live):
    """Data records of every scenario, keyed by zone name."""
    zones = doc["zones"]
    recs = {z["name"]: [] for z in zones}

    def add(owner, rtype, rdata):
        r = (owner, rtype, rdata)
        bucket = recs[zone_of(owner, zones)]
        if r not in bucket:
            bucket.append(r)

    for s in doc["scenarios"]:
        for mx in s["mx"]:
            add(s["domain"], "MX", f"{mx['preference']} {mx['host']}")
        for h in s["hosts"]:
            addr_name = h.get("cname", h["name"])
            if "cname" in h:
                add(h["name"], "CNAME", h["cname"])
            for a in h["a"]:
                add(addr_name, "A", a)
            for a in h["aaaa"]:
                add(addr_name, "AAAA", a)
            owner = h.get("tlsa_wildcard", h["tlsa_owner"])
            if "tlsa_owner_cname" in h:
                add(owner, "CNAME", h["tlsa_owner_cname"])
                owner = h["tlsa_owner_cname"]
            for rd in live[h["name"]]["tlsa_rdata"]:
                add(owner, "TLSA", rd)
        # TLSRPT (RFC 8460 §3) and MTA-STS (RFC 8461 §3.1) records, the policy host's address.
        mp = s.get("mail_policy")
        if mp:
            if mp.get("tlsrpt") is not None:
                add(f"_smtp._tls.{s['domain']}", "TXT", txt_rdata(mp["tlsrpt"]))
            add(f"_mta-sts.{s['domain']}", "TXT", txt_rdata(mp["sts_txt"]))
            add(f"mta-sts.{s['domain']}", "A", mp["sts_host"])
    return recs


def txt_rdata(text):
    """A TXT record's text as zone-file strings of at most 255 octets (RFC 1035 §3.3.14)."""
    parts = [text[i:i + 255] for i in range(0, len(text), 255)] or [""]
    return " ".join('"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in parts)


def ts(dt):
    return dt.strftime("%Y%m%d%H%M%S")


def keygen(kdir, zone, alg, past=False):
    cmd = ["dnssec-keygen", "-q", "-K", kdir, "-a", alg, "-f", "KSK", "-L", "3600"] + ALG_FLAGS[alg]
    if past:
        # Without past timing metadata, back-dated signing fails ("No self-signed KSK").
        cmd += ["-P", "20200101000000", "-A", "20200101000000"]
    name = run(cmd + [zone]).strip()
    return f"{kdir}/{name}"


def sign_zone(run_dir, z, recs, ds_lines, now):
    """Writes the zone file, signs it as z['signing'] asks; returns (served file, DS lines for the parent)."""
    name = z["name"]
    d = f"{run_dir}/dns/{slug(name)}"
    os.makedirs(d, exist_ok=True)
    ns = {".": ROOT_NS, "example.": TLD_NS}.get(name, CHILD_NS)
    lines = [f"$TTL 3600",
             f"{name} 3600 IN SOA {ROOT_NS} hostmaster.example. {now.strftime('%y%m%d%H%M')} 3600 900 604800 300",
             f"{name} 3600 IN NS {ns}"]
    lines += [f"{o} 3600 IN {t} {r}" for (o, t, r) in recs]
    lines += ds_lines
    src = f"{d}/zone"
    with open(src, "w") as f:
        f.write("\n".join(lines) + "\n")
    signing = z.get("signing", "secure")
    if signing == "unsigned":
        return src, []
    past = signing == "expired"
    key = keygen(d, name, z["algorithm"], past=past)
    with open(key + ".key") as f:
        key_rr = [l for l in f if not l.startswith(";")]
    with open(src, "a") as f:
        f.writelines(key_rr)
    if past:
        start, end = "20200101000000", "20200201000000"
    elif signing == "expiring":
        # Re-signing that stopped: signed 26 days ago for 28 days, so the
        # RRSIGs are valid today and expire in 2 days (the look-ahead scenario).
        start = ts(now - datetime.timedelta(days=26))
        end = ts(now + datetime.timedelta(days=2))
    else:
        start = ts(now - datetime.timedelta(hours=1))
        end = ts(now + datetime.timedelta(days=SIG_DAYS))
    out = f"{d}/zone.signed"
    cmd = ["dnssec-signzone", "-q", "-K", d, "-d", d, "-o", name, "-f", out, "-O", "full",
           "-s", start, "-e", end, "-j", "0", "-z"]
    if past:
        cmd += ["-P"]  # the post-signing verification would reject the expired signatures
    denial = z.get("denial", "nsec")
    if denial.startswith("nsec3"):
        cmd += ["-3", z.get("nsec3_salt", "-"), "-H", "0"]
        if denial == "nsec3-optout":
            cmd += ["-A"]
    run(cmd + [src, key + ".key"], cwd=d)
    if signing == "corrupt-tlsa-rrsig":
        corrupt_rrsig(out, "TLSA")
    if signing == "bad-ds":
        # DS of a key the zone never publishes.
        os.makedirs(f"{d}/unused", exist_ok=True)
        other = keygen(f"{d}/unused", name, z["algorithm"])
        ds = run(["dnssec-dsfromkey", "-2", other + ".key"])
    else:
        ds = run(["dnssec-dsfromkey", "-2", key + ".key"])
    if name == ".":
        shutil.copy(key + ".key", f"{run_dir}/anchor/root.dnskey.raw")
    return out, [l.strip() for l in ds.splitlines() if l.strip()]


def corrupt_rrsig(path, covered):
    """Flips one base64 character in the middle of each RRSIG covering `covered`."""
    with open(path) as f:
        lines = f.readlines()
    hit = 0
    for i, l in enumerate(lines):
        parts = l.split()
        if len(parts) > 5 and parts[3] == "RRSIG" and parts[4] == covered:
            sig = parts[-1]
            k = len(sig) // 2
            c = "B" if sig[k] != "B" else "C"
            parts[-1] = sig[:k] + c + sig[k + 1:]
            lines[i] = " ".join(parts) + "\n"
            hit += 1
    if not hit:
        sys.exit(f"build: no RRSIG {covered} to corrupt in {path}")
    with open(path, "w") as f:
        f.writelines(lines)


def build_dns(run_dir, doc, live, now):
    zones = doc["zones"]
    recs = collect_records(doc, live)
    by_name = {z["name"]: z for z in zones}
    children = {z["name"]: [c for c in zones if c.get("parent") == z["name"]] for z in zones}
    # Delegations and infrastructure names.
    for z in zones:
        if z["name"] == ".":
            recs["."] += [(ROOT_NS, "A", doc["lab"]["root_server"]), ("example.", "NS", TLD_NS),
                          (TLD_NS, "A", doc["lab"]["tld_server"])]
        if z["name"] == "example.":
            recs["example."] += [(TLD_NS, "A", doc["lab"]["tld_server"]), (CHILD_NS, "A", doc["lab"]["child_server"])]
            for c in children["example."]:
                recs["example."].append((c["name"], "NS", CHILD_NS))
    os.makedirs(f"{run_dir}/anchor", exist_ok=True)
    served = {}
    ds = {}

    def do(zn):
        parent_ds = []
        for c in children[zn]:
            parent_ds += ds.get(c["name"], [])
        served[zn], ds[zn] = sign_zone(run_dir, by_name[zn], recs[zn], parent_ds, now)

    leaves = [z["name"] for z in zones if z["name"] not in (".", "example.")]
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as ex:
        list(ex.map(do, leaves))
    do("example.")
    do(".")
    # Trust anchor in both formats.
    with open(f"{run_dir}/anchor/root.ds", "w") as f:
        f.write("\n".join(ds["."]) + "\n")
    with open(f"{run_dir}/anchor/root.dnskey.raw") as f:
        key_rr = [l.strip() for l in f if not l.startswith(";") and l.strip()]
    with open(f"{run_dir}/anchor/root.key", "w") as f:
        f.write("\n".join(key_rr) + "\n")
    # named/delv syntax (`delv -a run/anchor/bind.keys`).
    with open(f"{run_dir}/anchor/bind.keys", "w") as f:
        f.write("trust-anchors {\n")
        for l in ds["."]:
            p = l.split()
            f.write(f'  . static-ds {p[3]} {p[4]} {p[5]} "{"".join(p[6:])}";\n')
        f.write("};\n")
    return served


# ---------------------------------------------------------------------------
# Daemon configurations


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def configs(run_dir, doc, live, served, sts_servers):
    lab = doc["lab"]
    log = f"{run_dir}/log"
    os.makedirs(log, exist_ok=True)
    # named: one view per server address.
    views = []
    for addr in (lab["root_server"], lab["tld_server"], lab["child_server"]):
        zs = [z for z in doc["zones"] if z["server"] == addr]
        body = "".join(f'  zone "{z["name"]}" {{ type primary; file "{served[z["name"]]}"; }};\n' for z in zs)
        views.append(f'view "v{addr}" {{\n  match-destinations {{ {addr}; }};\n{body}}};\n')
    write(f"{run_dir}/named/named.conf", f"""options {{
  directory "{run_dir}/named";
  pid-file "{run_dir}/named/named.pid";
  session-keyfile "{run_dir}/named/session.key";
  managed-keys-directory "{run_dir}/named";
  listen-on port 53 {{ {lab['root_server']}; {lab['tld_server']}; {lab['child_server']}; }};
  listen-on-v6 {{ none; }};
  recursion no;
  dnssec-validation no;
  notify no;
  allow-transfer {{ none; }};
  minimal-responses no;
}};
logging {{
  channel lab {{ file "{log}/named.log"; severity info; print-time yes; }};
  category default {{ lab; }};
  category lame-servers {{ null; }};
}};
controls {{ }};
""" + "".join(views))
    write(f"{run_dir}/unbound/root.hints", f". 3600000 NS {ROOT_NS}\n{ROOT_NS} 3600000 A {lab['root_server']}\n")
    r = lab["resolver"]
    write(f"{run_dir}/unbound/unbound.conf", f"""server:
  verbosity: 1
  username: ""
  chroot: ""
  directory: "{run_dir}/unbound"
  pidfile: "{run_dir}/unbound/unbound.pid"
  logfile: "{log}/unbound.log"
  use-syslog: no
  log-servfail: yes
  interface: {r}
  interface: {r}@8080
  port: 53
  https-port: 8080
  http-endpoint: "/dns-query"
  http-notls-downstream: yes
  do-ip6: no
  access-control: 127.0.0.0/8 allow
  access-control: ::1 allow
  do-not-query-localhost: no
  root-hints: "{run_dir}/unbound/root.hints"
  trust-anchor-file: "{run_dir}/anchor/root.ds"
  module-config: "validator iterator"
  ede: yes
  val-log-level: 2
  qname-minimisation: no
  cache-max-negative-ttl: 5
  num-threads: 1
remote-control:
  control-enable: no
""")
    # nginx: CORS front for browsers, h2c (grpc_pass) to unbound. Plain HTTP/1.1
    # on 8053 (browsers in the lab, tests' GELEIT_DOH), and HTTPS with HTTP/2 on
    # 8443 (lab CA in run/doh/ca.pem): what a real DoH client pays, TLS handshake
    # included, with one connection carrying every query of a check.
    ng = f"{run_dir}/nginx"
    location = f"""    location = /dns-query {{
      if ($request_method = OPTIONS) {{
        add_header Access-Control-Allow-Origin "*" always;
        add_header Access-Control-Allow-Methods "GET, POST, OPTIONS" always;
        add_header Access-Control-Allow-Headers "content-type, accept" always;
        add_header Access-Control-Max-Age 86400 always;
        return 204;
      }}
      add_header Access-Control-Allow-Origin "*" always;
      grpc_pass grpc://{r}:8080;
    }}
    location / {{ return 404; }}"""
    write(f"{ng}/nginx.conf", f"""daemon on;
pid {ng}/nginx.pid;
error_log {log}/nginx-error.log;
worker_processes 1;
events {{ worker_connections 256; }}
http {{
  access_log {log}/nginx-access.log;
  client_body_temp_path {ng}/tmp-body;
  proxy_temp_path {ng}/tmp-proxy;
  fastcgi_temp_path {ng}/tmp-fastcgi;
  uwsgi_temp_path {ng}/tmp-uwsgi;
  scgi_temp_path {ng}/tmp-scgi;
  server {{
    listen 127.0.0.1:8053;
{location}
  }}
  server {{
    listen 127.0.0.1:8443 ssl http2;
    ssl_certificate {run_dir}/doh/server.pem;
    ssl_certificate_key {run_dir}/doh/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;
{location}
  }}
{sts_servers}}}
""")
    # Postfix: one smtpd listener per scenario address.
    pf = f"{run_dir}/postfix"
    os.makedirs(f"{pf}/queue", exist_ok=True)
    os.makedirs(f"{pf}/data", exist_ok=True)
    write(f"{pf}/main.cf", f"""compatibility_level = 3.6
queue_directory = {pf}/queue
data_directory = {pf}/data
mail_owner = postfix
myhostname = lab.example
mydomain = example
myorigin = lab.example
mydestination =
relay_domains =
mynetworks =
inet_interfaces = all
inet_protocols = all
alias_maps =
alias_database =
smtpd_relay_restrictions = reject
smtpd_recipient_restrictions = reject
maillog_file = {log}/postfix.log
maillog_file_prefixes = {log}
smtpd_tls_security_level = may
smtpd_tls_loglevel = 1
smtpd_tls_chain_files =
smtp_dns_support_level = dnssec
""")
    with open("/etc/postfix/master.cf") as f:
        base = [l for l in f.read().splitlines() if not l.startswith("smtp      inet")]
    listeners = []
    for s in doc["scenarios"]:
        for h in s["hosts"]:
            info = live[h["name"]]
            for a in h["a"] + h["aaaa"]:
                addr = f"[{a}]" if ":" in a else a
                opts = [f"-o myhostname={bare(h.get('cname', h['name']))}"]
                if h["tls"]["starttls"] and info.get("install_dir"):
                    inst = info["install_dir"]
                    opts.append(f"-o smtpd_tls_chain_files={inst}/privkey.pem,{inst}/fullchain.pem")
                    opts.append("-o smtpd_tls_security_level=may")
                elif h["tls"]["starttls"] and info["chain_files"]:
                    opts.append(f"-o smtpd_tls_chain_files={','.join(info['chain_files'])}")
                    opts.append("-o smtpd_tls_security_level=may")
                else:
                    opts.append("-o smtpd_tls_security_level=none")
                listeners.append(f"{addr}:25 inet n - n - - smtpd\n  " + "\n  ".join(opts))
    write(f"{pf}/master.cf", "\n".join(base) + "\n# --- lab listeners\n" + "\n".join(listeners) + "\n")
    write(f"{run_dir}/resolv.conf", f"nameserver {r}\noptions trust-ad edns0\n")


def addresses(doc):
    lab = doc["lab"]
    out = [lab["root_server"], lab["tld_server"], lab["child_server"], lab["resolver"]]
    for s in doc["scenarios"]:
        for h in s["hosts"]:
            out += h["a"] + h["aaaa"]
        if s.get("mail_policy"):
            out.append(s["mail_policy"]["sts_host"])
    return list(dict.fromkeys(out))


def main():
    run_dir = os.path.abspath(sys.argv[1])
    with open(f"{LAB}/scenarios.json") as f:
        doc = json.load(f)
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    hosts = [h for s in doc["scenarios"] for h in s["hosts"]]
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as ex:
        infos = list(ex.map(lambda h: build_host_pki(run_dir, h), hosts))
    live = {h["name"]: i for h, i in zip(hosts, infos)}
    build_doh_pki(run_dir)
    sts_servers = build_sts(run_dir, doc)
    served = build_dns(run_dir, doc, live, now)
    configs(run_dir, doc, live, served, sts_servers)
    with open(f"{run_dir}/addresses", "w") as f:
        f.write("\n".join(addresses(doc)) + "\n")
    with open(f"{run_dir}/live.json", "w") as f:
        # A zone signed to expire soon ("expiring") must be rebuilt within hours,
        # the others 7 days before their signatures run out.
        expiring = any(z.get("signing") == "expiring" for z in doc["zones"])
        fresh = 12 * 3600 if expiring else (SIG_DAYS - 7) * 86400
        json.dump({"built": now.isoformat(), "signature_days": SIG_DAYS, "fresh_seconds": fresh, "hosts": live},
                  f, indent=1)


if __name__ == "__main__":
    main()
