"""Build the docs site offline, without Quarto, and keep README.md in step with nbs/index.ipynb.

    python tools/preview.py            # process the notebooks (nbdev) and render them into _site/
    python tools/preview.py --readme   # only regenerate README.md, and the repository links from pyproject.toml
    python tools/preview.py --check    # fail if README.md or a link is out of step with its source

The repository's URL is written once, in pyproject.toml (`[project.urls]`); the notebooks' Colab badges and install
cells and nbs/nbdev.yml are derived from it here.

The real site is built by `nbdev-docs` with Quarto from the same processed notebooks (`_proc/`); this renders them
with nbconvert's markdown and a small page template, with MathJax served from the `jupyter-server-mathjax` package,
so that every page, figure, animation and equation works with no network.
"""
import argparse, html, json, re, shutil, sys
from pathlib import Path

import yaml
from nbdev.config import get_config

ROOT = Path(__file__).resolve().parents[1]


def _src(cell): return ''.join(cell['source']) if isinstance(cell['source'], list) else cell['source']


# ---------------------------------------------------------------- README from index.ipynb
def readme_text():
    "README.md: the index notebook's title, summary, markdown and code cells (with their text outputs)."
    nb = json.loads((ROOT/'nbs'/'index.ipynb').read_text())
    out = []
    for c in nb['cells']:
        s = _src(c).strip()
        if c['cell_type'] == 'markdown':
            s = re.sub(r'\]\((\d\d[a-z]?_\w+)\.ipynb\)', r'](nbs/\1.ipynb)', s)
            out.append(s)
        elif c['cell_type'] == 'code' and not s.startswith('#|'):
            out.append(f'```python\n{s}\n```')
            for o in c.get('outputs', []):
                txt = o.get('text') or o.get('data', {}).get('text/plain')
                if txt: out.append('    ' + ''.join(txt).rstrip().replace('\n', '\n    '))
    return '\n\n'.join(out) + '\n'


# ---------------------------------------------------------------- rendering
def _directives(src):
    "Split a code cell into its `#| key: value` directives and the code."
    d, lines = {}, src.splitlines()
    while lines and lines[0].startswith('#|'):
        k, _, v = lines.pop(0)[2:].partition(':')
        d[k.strip()] = yaml.safe_load(v) if v.strip() else True
    return d, '\n'.join(lines).strip('\n')


def _pandoc_id(text):
    "The identifier Pandoc (and so Quarto) gives a heading: lowercase, spaces to hyphens, other punctuation dropped."
    text = re.sub(r'<[^>]+>', '', html.unescape(text)).strip().lower()
    text = re.sub(r'[^\w\s.-]', '', text)
    return re.sub(r'^[^a-z]+', '', re.sub(r'\s+', '-', text))


def _md(text):
    "Markdown to HTML, with Quarto's heading ids so that links written for the real site work here."
    from nbconvert.filters.markdown_mistune import markdown2html_mistune
    text = re.sub(r'(\]\([^)\s]*\))\{[^}]*\}', r'\1', text)  # Quarto link attributes: [source](url){target=...}
    out = markdown2html_mistune(text)
    def hid(m): return f'<h{m[1]} id="{_pandoc_id(m[3])}">{m[3]}</h{m[1]}>'
    out = re.sub(r'<a class="anchor-link" href="#[^"]*">&#182;</a>', '', out)
    return re.sub(r'<h([1-6]) id="([^"]*)">(.*?)</h\1>', hid, out, flags=re.S)


def _code(src):
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer
    return highlight(src, PythonLexer(), HtmlFormatter(cssclass='highlight'))


def _outputs(outs, caption=None):
    parts = []
    for o in outs:
        t = o['output_type']
        if t == 'stream':
            parts.append(f'<pre class="output stream">{html.escape("".join(o["text"]))}</pre>')
        elif t == 'error':
            parts.append(f'<pre class="output error">{html.escape(o["ename"] + ": " + o["evalue"])}</pre>')
        else:
            d = o.get('data', {})
            if 'image/png' in d:
                img = d['image/png'] if isinstance(d['image/png'], str) else ''.join(d['image/png'])
                alt = html.escape(caption or 'figure')
                parts.append(f'<img class="figure" src="data:image/png;base64,{img.strip()}" alt="{alt}"/>')
            elif 'text/html' in d: parts.append(''.join(d['text/html']))
            elif 'text/markdown' in d: parts.append(_md(''.join(d['text/markdown'])))
            elif 'text/plain' in d: parts.append(f'<pre class="output">{html.escape("".join(d["text/plain"]))}</pre>')
    if caption and parts: parts.append(f'<figcaption>{html.escape(caption)}</figcaption>')
    return f'<figure class="cell-output">{"".join(parts)}</figure>' if parts else ''


def render_nb(path):
    "Title, description and HTML body of a processed notebook."
    nb = json.loads(Path(path).read_text())
    meta, body = {}, []
    for c in nb['cells']:
        s = _src(c)
        if c['cell_type'] == 'raw' and s.startswith('---'):
            meta.update(yaml.safe_load(s.strip().strip('-')) or {})
        elif c['cell_type'] == 'markdown':
            if 'AUTOGENERATED! DO NOT EDIT' in s: continue
            body.append(_md(s))
        elif c['cell_type'] == 'code':
            d, code = _directives(s)
            if d.get('include') is False: continue
            shown = d.get('echo', True) is not False and code
            if shown:
                cls = ' exported' if d.get('exports') else ''
                body.append(f'<div class="cell-input{cls}">{_code(code)}</div>')
            if d.get('output', True) is not False:
                body.append(_outputs(c.get('outputs', []), d.get('fig-cap')))
    return meta, '\n'.join(body)


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"/>
<title>{title} – {site}</title>
<link rel="stylesheet" href="site.css"/>
<link rel="stylesheet" href="styles.css"/>
<script type="text/x-mathjax-config">
MathJax.Hub.Config({{tex2jax: {{inlineMath: [['$','$'], ['\\\\(','\\\\)']], displayMath: [['$$','$$'], ['\\\\[','\\\\]']],
  processEscapes: true}}, messageStyle: 'none', showMathMenu: false,
  // jupyter-server-mathjax ships the STIX web fonts only; without this MathJax looks for its TeX fonts and fails
  'HTML-CSS': {{availableFonts: [], preferredFont: null, webFont: 'STIX-Web', imageFont: null}}}});
</script>
<script src="mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full"></script>
</head><body>
<nav class="sidebar"><a class="site-title" href="index.html">{site}</a>{nav}</nav>
<main id="content">
<h1 class="title">{title}</h1>
{description}
{body}
</main>
<script>
// Self-check for tools/check_site.py: every local image (figure, animation) must have decoded.
window.addEventListener('load', function () {{
  var bad = [];
  document.querySelectorAll('main img').forEach(function (im) {{
    var src = im.getAttribute('src') || '';
    if (/^https?:/.test(src)) return;  // external badges need the network
    if (!im.complete || im.naturalWidth === 0) bad.push(src.slice(0, 60));
  }});
  document.body.setAttribute('data-s4lit-images', bad.length ? 'missing: ' + bad.join(' | ') : 'ok');
  document.body.setAttribute('data-s4lit-image-count', document.querySelectorAll('main img').length);
}});
</script>
</body></html>
"""


def _nav(entries, out_names, current):
    items = []
    for e in entries:
        if isinstance(e, dict):
            items.append(f'<div class="section">{html.escape(e["section"])}</div>' + _nav(e['contents'], out_names, current))
        else:
            name, title = out_names[e]
            cls = ' class="active"' if name == current else ''
            items.append(f'<a{cls} href="{name}">{html.escape(title)}</a>')
    return '<div class="nav">' + ''.join(items) + '</div>'


def _flatten(entries):
    for e in entries:
        if isinstance(e, dict): yield from _flatten(e['contents'])
        else: yield e


def _fix_links(text, out_names, doc_url):
    "Links to notebooks become links to their pages; absolute links into our own site become relative."
    def sub(m):
        href = m.group(2)
        if doc_url and href.startswith(doc_url): href = href[len(doc_url):].lstrip('/')
        base, _, anchor = href.partition('#')
        if base.endswith('.ipynb') and not re.match(r'\w+://', base):
            nb = Path(base).name
            if nb in out_names: base = out_names[nb][0]
        return m.group(1) + base + ('#' + anchor if anchor else '') + m.group(3)
    return re.sub(r'(href=")([^"]*)(")', sub, text)


SITE_CSS = """
body { margin: 0; font-family: -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif; color: #222; line-height: 1.55; }
.sidebar { position: fixed; top: 0; left: 0; bottom: 0; width: 230px; overflow-y: auto; padding: 1.2rem 1rem; background: #f6f7f9; border-right: 1px solid #e3e5e8; }
.sidebar a { display: block; color: #2a5db0; text-decoration: none; padding: 0.15rem 0; }
.sidebar a.active { font-weight: 600; color: #111; }
.sidebar .site-title { font-size: 1.3rem; font-weight: 700; margin-bottom: 1rem; color: #111; }
.sidebar .section { margin-top: 0.8rem; font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.05em; color: #666; }
.sidebar .nav .nav { padding-left: 0.6rem; }
main { margin-left: 270px; max-width: 980px; padding: 1.5rem 2rem 4rem; }
h1.title { margin-bottom: 0.2rem; }
.highlight pre, pre.output { padding: 0.6rem 0.8rem; overflow-x: auto; font-size: 0.85rem; }
.highlight pre { background: #f7f7f9; border-radius: 4px; }
pre.output { border-left: 2px solid lightsalmon; margin-left: 0.8rem; }
pre.output.error { border-left-color: red; color: #a00; }
figure.cell-output { margin: 0 0 1rem 0; }
figure.cell-output img { max-width: 100%; }
figcaption { font-size: 0.9rem; color: #555; font-style: italic; }
table { border-collapse: collapse; margin: 0.8rem 0; }
th, td { border: 1px solid #ddd; padding: 0.3rem 0.6rem; vertical-align: top; }
a.anchor-link { display: none; }
"""


def build(out='_site'):
    "Process the notebooks with nbdev and render `_proc/` into `out`."
    import nbdev.doclinks
    from nbdev.serve import proc_nbs
    from pygments.formatters import HtmlFormatter
    import os; os.chdir(ROOT)
    cfg = get_config(ROOT)
    nbdev.doclinks._build_modidx()
    # The quarto-free part of `nbdev-proc-nbs`. nbdev skips any file whose path has a part starting with '.',
    # so an absolute path under a dot-folder (~/.cache/..., /tmp/.x/...) would process nothing: pass the
    # notebooks' folder relative to the root instead.
    proc = Path(proc_nbs(path=os.path.relpath(cfg.nbs_path, ROOT), n_workers=0))
    if not (proc/'sidebar.yml').exists():
        sys.exit(f"nbdev processed no notebooks from {cfg.nbs_path} into {proc}; is nbs/ inside a folder whose name "
                 "starts with '.' (nbdev skips those)? Move the checkout elsewhere.")
    sidebar = yaml.safe_load((proc/'sidebar.yml').read_text())['website']['sidebar']['contents']
    pages = list(_flatten(sidebar))
    missing = sorted({p.name for p in (ROOT/'nbs').glob('*.ipynb')} - set(pages))
    if missing: sys.exit(f"nbs/sidebar.yml does not list {', '.join(missing)}")
    rendered, out_names = {}, {}
    for nb in pages:
        meta, body = render_nb(proc/nb)
        name = meta.get('output-file') or Path(nb).with_suffix('.html').name
        rendered[nb] = (name, meta, body)
        out_names[nb] = (name, meta.get('title', Path(nb).stem))
    out = ROOT/out
    if out.exists(): shutil.rmtree(out)
    out.mkdir()
    import jupyter_server_mathjax
    shutil.copytree(Path(jupyter_server_mathjax.__file__).parent/'static', out/'mathjax')
    (out/'site.css').write_text(SITE_CSS + HtmlFormatter(cssclass='highlight').get_style_defs('.highlight'))
    shutil.copy(ROOT/'nbs'/'styles.css', out/'styles.css')
    if (ROOT/'assets').is_dir(): shutil.copytree(ROOT/'assets', out/'assets')   # figures the landing page shows
    site, doc_url = cfg.title, cfg.doc_url
    for nb, (name, meta, body) in rendered.items():
        desc = f'<p class="description">{html.escape(meta["description"])}</p>' if meta.get('description') else ''
        page = PAGE.format(title=html.escape(meta.get('title', name)), site=html.escape(site), description=desc,
                           body=body, nav=_nav(sidebar, out_names, name))
        (out/name).write_text(_fix_links(page, out_names, doc_url))
    print(f"built {len(rendered)} pages into {out}: " + ', '.join(n for n, *_ in rendered.values()))


# ---------------------------------------------------------------- links derived from pyproject.toml
def sync_links(write=False) -> list:
    """The files whose repository links differ from pyproject.toml's `Repository` and `Documentation` URLs: the
    notebooks' Colab badges and install cells, and nbs/nbdev.yml. With `write`, bring them in step."""
    cfg = get_config(ROOT)
    repo, branch = cfg.git_url.rstrip('/'), cfg.get('branch', 'main')
    slug = repo.split('github.com/', 1)[1]
    rules = [(r'https://colab\.research\.google\.com/github/[^/\s]+/[^/\s]+/blob/[^/\s]+/nbs/',
              f'https://colab.research.google.com/github/{slug}/blob/{branch}/nbs/'),
             (r"s4lit\[dev\] @ git\+https://[^'\"\s]+", f's4lit[dev] @ git+{repo}')]
    yml = [(r'(?m)^(  repo-url: ).*$', rf'\g<1>"{repo}"'), (r'(?m)^(  site-url: ).*$', rf'\g<1>"{cfg.doc_url.rstrip("/")}"'),
           (r'(?m)^(  repo-branch: ).*$', rf'\g<1>{branch}')]
    stale = []
    for f, rs in [(nb, rules) for nb in sorted((ROOT/'nbs').glob('*.ipynb'))] + [(ROOT/'nbs'/'nbdev.yml', yml)]:
        text = new = f.read_text()
        for pat, rep in rs: new = re.sub(pat, rep, new)
        if new != text:
            stale.append(f.relative_to(ROOT))
            if write: f.write_text(new)
    return stale


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--readme', action='store_true',
                    help="only regenerate README.md from nbs/index.ipynb and the repository links from pyproject.toml")
    ap.add_argument('--check', action='store_true',
                    help='fail if README.md or a repository link is out of step with its source')
    ap.add_argument('--out', default='_site')
    a = ap.parse_args()
    if a.check:
        if (ROOT/'README.md').read_text() != readme_text(): sys.exit("README.md is out of step with nbs/index.ipynb: run python tools/preview.py --readme")
        if stale := sync_links(): sys.exit(f"links differ from pyproject.toml's URLs in {', '.join(map(str, stale))}: run python tools/preview.py --readme")
        print("README.md is in step with nbs/index.ipynb, and every repository link with pyproject.toml")
    else:
        sync_links(write=True)
        (ROOT/'README.md').write_text(readme_text())
        if not a.readme: build(a.out)
