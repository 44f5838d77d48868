#!/usr/bin/env bash
# compare_deck_figures.sh: every PINN deck of input/ run by two builds of tessera at a reduced
# budget, and their result files compared: every field and every attribute (timings, paths and
# dates aside) bit for bit. A refactoring of the PINN runs must keep them equal; the decks' seeds
# make every run deterministic, so equal reduced runs mean equal full ones.
#   BEFORE   the tessera executable to compare against (e.g. one built from the previous commit)
#   AFTER    the one under test (default build/apps/tessera)
#   BEFORE_DECKS  the folder of the decks BEFORE runs (default input; the decks of the commit
#            BEFORE was built from, where their form changed: `git archive REV input | tar -x -C DIR`)
#   NP       ranks per run (default 2)
#   OUT      folder for the runs (default a temporary folder, removed at the end)
#   DECKS    deck names without .yaml (default every PINN deck: run pinn/poisson/xpinn/fbpinn/pde
#            and the interface bandit)
#   IGNORE   attribute names not compared (e.g. "options" where the decks' form changed: the
#            options a run records are then the decks' other keys)
# Extra arguments go to every run (default -train_adam_iterations 30 -train_lbfgs_iterations 8).
# Prints one line per deck (figure, mapping of an alias, "same" or what differs) and exits 1 if
# any deck differs. Needs h5py (Debian's python3-h5py; PYTHON, default /usr/bin/python3).
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${BEFORE:?set BEFORE to the tessera executable to compare against}"
AFTER=${AFTER:-build/apps/tessera}
NP=${NP:-2}
export OMPI_ALLOW_RUN_AS_ROOT=${OMPI_ALLOW_RUN_AS_ROOT:-1}
export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=${OMPI_ALLOW_RUN_AS_ROOT_CONFIRM:-1}
if [ -z "${OUT:-}" ]; then
  OUT=$(mktemp -d)
  trap 'rm -rf "$OUT"' EXIT
fi
if [ -z "${DECKS:-}" ]; then
  DECKS=""
  for deck in input/*.yaml; do
    kind=$(sed -n 's/^run: *\([a-z_]*\).*/\1/p' "$deck")
    case "${kind:-pinn}" in
      pinn | poisson | xpinn | fbpinn | pde | interface_bandit) DECKS="$DECKS $(basename "$deck" .yaml)" ;;
    esac
  done
fi
extra=("$@")
[ ${#extra[@]} -gt 0 ] || extra=(-train_adam_iterations 30 -train_lbfgs_iterations 8)
status=0
for deck in $DECKS; do
  args=("${extra[@]}")
  grep -q '^run: interface_bandit' "input/$deck.yaml" && args+=(-bandit_rounds 3)
  for side in before after; do
    mkdir -p "$OUT/$side"
    exe=$BEFORE
    folder=${BEFORE_DECKS:-input}
    [ $side = after ] && exe=$AFTER && folder=input
    mpirun -n "$NP" "$exe" "$folder/$deck.yaml" "${args[@]}" -output_directory "$OUT/$side/$deck" \
      -output_overwrite true > "$OUT/$side/$deck.log" 2>&1 || {
      echo "$deck: the $side run failed, see $OUT/$side/$deck.log"
      status=1
      continue 2
    }
  done
  "${PYTHON:-/usr/bin/python3}" - "$OUT" "$deck" <<'PY' || status=1
import glob, os, sys
import h5py
import numpy as np
out, deck = sys.argv[1], sys.argv[2]
skip = ("seconds", "written_utc", "git_revision")
ignored = os.environ.get("IGNORE", "").split()
diffs = []
def same(x, y):
    if isinstance(x, (bytes, str)) or getattr(x, "dtype", np.dtype(float)).kind in "SOU":
        norm = lambda v, side: str(v).replace(f"{out}/{side}/", "")
        return norm(x, "before") == norm(y, "after")
    return np.array_equal(np.asarray(x), np.asarray(y), equal_nan=True)
def attributes(b, a, where):
    for k, v in b.attrs.items():
        if any(s in k for s in skip) or k in ignored:
            continue
        if k not in a.attrs or not same(v, a.attrs[k]):
            diffs.append(f"{where}@{k}")
files = [f for f in glob.glob(f"{out}/before/{deck}/**/*.h5", recursive=True) if "checkpoint" not in f]
for fb in files:
    fa = fb.replace(f"{out}/before/", f"{out}/after/")
    if not os.path.exists(fa):
        diffs.append(f"no {os.path.basename(fa)}")
        continue
    with h5py.File(fb) as b, h5py.File(fa) as a:
        attributes(b, a, os.path.basename(fb))
        def visit(name, obj):
            if not isinstance(obj, h5py.Dataset):
                return
            if name not in a:
                diffs.append(f"no {name}")
                return
            x, y = obj[()], a[name][()]
            # History rows hold wall-clock columns; their losses are the attributes' and the
            # fields' causes.
            if "history" not in name and not same(x, y):
                diffs.append(name)
            attributes(obj, a[name], name)
        b.visititems(visit)
def figure(side):
    for line in open(f"{out}/{side}/{deck}.log"):
        if " vs " in line and ("PINN" in line or "FBPINN" in line) or line.strip().startswith("velocity"):
            return " ".join(line.split())
    return "(no figure)"
mapping = next((l.strip() for l in open(f"{out}/after/{deck}.log") if " is run: pinn" in l), "")
verdict = "same" if not diffs else "DIFFERS: " + ", ".join(diffs[:6])
print(f"{deck:30s} {figure('before'):40s} {len(files)} file(s) {verdict}  {mapping}")
sys.exit(1 if diffs else 0)
PY
done
exit $status
