"""Run each chapter the way a reader runs it in Colab: alone, every cell, no test flags.

    python tools/run_alone.py                 # every chapter in nbs/, two at a time
    python tools/run_alone.py nbs/04_s4.ipynb # one or more chapters

Each chapter is copied into an empty temporary folder and executed there top to bottom in an IPython shell (execnb,
as `nbdev-test` uses), with `#| slow` and `#| gpu` cells included: nothing but the installed `s4lit` and the
notebook itself is at hand. The install cell runs only in Colab, so s4lit must already be installed (a wheel in a
fresh virtualenv is the honest test). Prints each chapter's time and its `skipped:` lines, then a last line
'chapters alone: N passed, N failed'; exits non-zero if any failed.
"""
import argparse, os, shutil, subprocess, sys, tempfile, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_one(nb: Path):
    "Execute `nb` (a copy in an empty folder); return (ok, seconds, report)."
    with tempfile.TemporaryDirectory(prefix=f'alone-{nb.stem}-') as d:
        shutil.copy(nb, d)
        t = time.time()
        p = subprocess.run([sys.executable, __file__, '--exec', nb.name], cwd=d, capture_output=True, text=True,
                           env={**os.environ, 'MPLBACKEND': 'agg'})
        return p.returncode == 0, time.time() - t, (p.stdout + p.stderr).rstrip()


def execute(name: str):
    "Run every cell of notebook `name` in the current folder; print its skip lines; raise on the first error."
    from fastcore.nbio import read_nb
    from execnb.shell import CaptureShell
    nb = read_nb(name)
    sh = CaptureShell(name)
    try: sh.run_all(nb, exc_stop=True)
    except Exception:
        sys.stderr.write((sh.prettytb(fname=name) or '') + '\n'); sys.exit(1)
    for c in nb.cells:
        for o in c.get('outputs', []):
            for line in ''.join(o.get('text', '')).splitlines():
                if line.startswith('skipped:'): print('   ', line)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('notebooks', nargs='*', help='chapters to run (default: every nbs/*.ipynb not starting with _)')
    ap.add_argument('--workers', type=int, default=2)
    ap.add_argument('--exec', help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.exec: return execute(a.exec)
    nbs = [Path(n).resolve() for n in a.notebooks] or sorted(p for p in (ROOT/'nbs').glob('*.ipynb')
                                                             if not p.name.startswith('_'))
    failed = 0
    with ThreadPoolExecutor(a.workers) as ex:
        for nb, (ok, secs, report) in zip(nbs, ex.map(run_one, nbs)):
            failed += not ok
            print(f"{'ok    ' if ok else 'FAILED'} {nb.name} ({secs:.0f} s)" + (f'\n{report}' if report else ''), flush=True)
    print(f'chapters alone: {len(nbs) - failed} passed, {failed} failed')
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
