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
# One `up`/`down` at a time per lab (helpers share this worktree's lab).
# Daemons must be started with `9>&-` so that they do not inherit the lock.
lab_lock() {
  [ -n "${GELEIT_LAB_LOCKED:-}" ] && return 0
  local dir=/run/lock; [ -d "$dir" ] || dir=/tmp
  exec 9>"$dir/geleit-lab-$(printf %s "$LAB" | sha256sum | cut -c1-12).lock"
  flock -w 120 9 || { echo "lab: another up/down holds the lock" >&2; exit 1; }
  export GELEIT_LAB_LOCKED=1
}
