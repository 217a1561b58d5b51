"""Open every page of the built docs site in headless Chromium and fail on what a reader would see broken.

    python tools/check_site.py [_site]

For each page: it must load and render (a title, content, no error output from a notebook cell), every local image
(figures, animations) must decode in the browser, every equation must typeset with MathJax without error, every
animation must be a GIF with more than one frame, and every internal link must point at a page and anchor that exist.
Chromium is Debian's `chromium` package (`apt-get install chromium`); it runs with a fresh profile and no network.
"""
import base64, io, re, shutil, subprocess, sys, tempfile
from html.parser import HTMLParser
from pathlib import Path

CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
                  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
                  '--virtual-time-budget=15000', '--run-all-compositor-stages-before-draw']


class Page(HTMLParser):
    "Ids, links, images and a few markers of one HTML document."
    def __init__(self, text):
        super().__init__()
        self.ids, self.links, self.imgs, self.classes, self.body = set(), [], [], [], {}
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if 'id' in a: self.ids.add(a['id'])
        if tag == 'a' and a.get('href'): self.links.append(a['href'])
        if tag == 'img': self.imgs.append(a)
        if a.get('class'): self.classes.extend(a['class'].split())
        if tag == 'body': self.body = a


def browser_dom(chromium, url):
    with tempfile.TemporaryDirectory() as profile:
        r = subprocess.run([chromium, *CHROMIUM_FLAGS, f'--user-data-dir={profile}', '--dump-dom', url],
                           capture_output=True, text=True, timeout=120)
    return r.stdout


def gif_frames(src):
    from PIL import Image
    im = Image.open(io.BytesIO(base64.b64decode(src.split('base64,', 1)[1])))
    return getattr(im, 'n_frames', 1)


def check_page(site, path, chromium, pages):
    problems = []
    src = Page(path.read_text())
    dom_text = browser_dom(chromium, path.resolve().as_uri())
    if not dom_text.strip(): return [f'{path.name}: Chromium returned no document']
    dom = Page(dom_text)
    if 'title' not in dom.classes or 'content' not in dom.ids:
        problems.append(f'{path.name}: did not render (no title or content)')
    state = dom.body.get('data-s4lit-images')
    if state is None: problems.append(f'{path.name}: the page script did not run (page did not finish loading)')
    elif state != 'ok': problems.append(f'{path.name}: images that did not load: {state}')
    if 'error' in src.classes: problems.append(f'{path.name}: a notebook cell shows an error output')
    if {'MathJax_Error', 'merror'} & set(dom.classes):
        problems.append(f'{path.name}: an equation failed to typeset')
    prose = re.sub(r'<(pre|script|style)\b.*?</\1>', '', path.read_text(), flags=re.S)
    has_math = re.search(r'\$[^$\s][^$]*\$', prose)
    if 'Math Processing Error' in dom_text: problems.append(f'{path.name}: MathJax reported a processing error')
    typeset = {'MathJax', 'MathJax_Display', 'MathJax_SVG', 'MathJax_CHTML'} & set(dom.classes)
    if has_math and not typeset: problems.append(f'{path.name}: equations were not typeset (MathJax did not run)')
    for im in src.imgs:
        s = im.get('src', '')
        if 's4lit-anim' in im.get('class', ''):
            if not s.startswith('data:image/gif'): problems.append(f'{path.name}: animation is not an inline GIF')
            elif gif_frames(s) < 2: problems.append(f'{path.name}: animation has a single frame')
        elif not s.startswith(('data:', 'http://', 'https://')) and not (path.parent/s).exists():
            problems.append(f'{path.name}: missing image {s}')
    for href in src.links:
        if re.match(r'(\w+:|//)', href): continue
        target, _, anchor = href.partition('#')
        tpath = path if not target else path.parent/target
        if not tpath.exists(): problems.append(f'{path.name}: broken link {href}'); continue
        if anchor and tpath.suffix == '.html' and anchor not in pages.setdefault(tpath, Page(tpath.read_text())).ids:
            problems.append(f'{path.name}: broken anchor {href}')
    n_img = dom.body.get('data-s4lit-image-count', '0')
    print(f'{path.name:24s} {"ok" if not problems else "FAILED"}  ({n_img} images, {len(src.links)} links)')
    return problems


def main(site='_site'):
    site = Path(site)
    chromium = shutil.which('chromium') or shutil.which('chromium-browser') or shutil.which('google-chrome')
    if not chromium: sys.exit('check_site: Chromium not found; install it with `apt-get install chromium`')
    htmls = sorted(site.glob('*.html'))
    if not htmls: sys.exit(f'check_site: no pages in {site}; build them with `python tools/preview.py`')
    pages, problems = {}, []
    for p in htmls: problems += check_page(site, p, chromium, pages)
    if problems:
        print('\n'.join(['', 'site check failed:', *problems]))
        sys.exit(1)
    print(f'site check passed: {len(htmls)} pages')


if __name__ == '__main__':
    main(*sys.argv[1:])
