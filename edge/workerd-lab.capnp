# The edge for the test lab (tests/lab): `tests/lab/in edge/run.sh --lab`.
# The lab runs its mail servers and resolver on loopback addresses inside its
# own network namespace: allow "local" here only. Its mta-sts.<domain> HTTPS
# hosts have certificates from the lab's MTA-STS CA (tests/lab/up writes it),
# trusted beside the browsers' CAs. A file of its own: workerd reads every
# embed of the file it serves, and without a lab that CA does not exist
# (edge/workerd.capnp, the self-hosted edge, must start anywhere).

using Workerd = import "/workerd/workerd.capnp";
using Edge = import "workerd.capnp";

const lab :Workerd.Config = (
  services = [
    (name = "geleit-edge", worker = Edge.edgeWorker),
    (name = "internet", network = (allow = ["public", "local"], tlsOptions = (
      trustBrowserCas = true,
      trustedCertificates = [ embed "../tests/lab/run/sts/ca.pem" ],
    ))),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:8787", http = (), service = "geleit-edge") ],
);
