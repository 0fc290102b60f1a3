# Sourced by up, down and in: paths of one lab instance (this worktree's).
LAB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RUN=$LAB/run
NSDIR=$RUN/ns
NS=$NSDIR/net
# Everything that defines the lab: a change to one of these rebuilds it on `up`.
lab_inputs_hash() {
  cat "$LAB/scenarios.json" "$LAB/build.py" "$LAB/up" "$LAB/common.sh" | sha256sum | cut -d' ' -f1
}
ns_exists() { mountpoint -q "$NS" 2>/dev/null || grep -qs " $NS nsfs " /proc/self/mountinfo; }
inns() { nsenter --net="$NS" "$@"; }
