"""Notebook authoring helpers for s4lit's developers (not part of the library).

    python tools/nbtool.py run nbs/01_hippo.ipynb   # execute in place (execnb), store outputs and figures; skips `#| gpu` cells
    python tools/nbtool.py nb2py NB.ipynb OUT.py     # a notebook as a percent script ('#%% md' / '#%%' cell markers)
    python tools/nbtool.py py2nb SRC.py NB.ipynb     # and back (drops outputs: run the notebook afterwards)
    python tools/nbtool.py widths [NB.ipynb ...]     # code lines over 100 characters (default: nbs/*.ipynb); exit 1 if any

After `run`, do `nbdev-clean` and `nbdev-export` before committing.
"""
import sys, json, re
from pathlib import Path

def py2nb(src, dst):
    cells, cur, kind = [], [], None
    def flush():
        if kind is None: return
        while cur and not cur[-1].strip(): cur.pop()
        while cur and not cur[0].strip(): cur.pop(0)
        s = '\n'.join(cur)
        import secrets
        c = dict(cell_type=kind, id=secrets.token_hex(4), metadata={}, source=s.splitlines(True))
        if kind == 'code': c.update(execution_count=None, outputs=[])
        cells.append(c)
    for line in Path(src).read_text().splitlines():
        m = re.match(r'^#%%\s*(md)?\s*$', line)
        if m:
            flush(); cur = []; kind = 'markdown' if m.group(1) else 'code'
        else: cur.append(line)
    flush()
    nb = dict(cells=cells, metadata=dict(kernelspec=dict(display_name='python3', language='python', name='python3')),
              nbformat=4, nbformat_minor=5)
    Path(dst).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')

def nb2py(src, dst):
    nb = json.loads(Path(src).read_text())
    out = []
    for c in nb['cells']:
        out.append('#%% md' if c['cell_type'] == 'markdown' else '#%%')
        out.append(''.join(c['source']))
        out.append('')
    Path(dst).write_text('\n'.join(out))

def run(path):
    from execnb.shell import CaptureShell
    import os
    os.environ.setdefault('MPLBACKEND', 'agg')
    sh = CaptureShell(mpl_format='retina')
    skip = lambda c: c.cell_type == 'code' and any(l.strip().replace(' ', '') in ('#|gpu',) for l in c.source.splitlines()[:3])
    sh.execute(path, path, exc_stop=True, preproc=skip)

def widths(*paths, limit=100):
    "Print every code line of the notebooks longer than `limit` characters (the page's width); exit 1 if any."
    long = 0
    for p in paths or sorted(Path('nbs').glob('*.ipynb')):
        for i, c in enumerate(json.loads(Path(p).read_text())['cells']):
            if c['cell_type'] != 'code': continue
            for line in ''.join(c['source']).splitlines():
                if len(line) > limit:
                    long += 1; print(f"{p}, cell {i}: {len(line)} characters: {line.strip()[:60]}...")
    if long: sys.exit(1)

if __name__ == '__main__':
    cmd, *args = sys.argv[1:]
    dict(py2nb=py2nb, nb2py=nb2py, run=run, widths=widths)[cmd](*args)
