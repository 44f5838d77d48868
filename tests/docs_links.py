#!/usr/bin/env python3
"""docs_links.py REPO_ROOT: every relative link in README.md, docs/*.md and input/README.md leads
to a file that exists and, where it names an anchor in a Markdown file, to a heading there; and
README.md stays the short page a newcomer reads (under README_LIMIT bytes; the long material
belongs in docs/). Prints one line per broken link and exits 1 if there is any."""
import glob
import os
import re
import sys

README_LIMIT = 6000

FENCE = re.compile(r"^\s*(```|~~~)")
CODE_SPAN = re.compile(r"`[^`]*`")
# [text](target) and ![alt](target); the target ends at the first space (a title may follow).
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def prose_lines(text):
    """The lines outside fenced code blocks, with inline code spans removed (a link shown as code
    is not a link)."""
    in_fence = False
    for number, line in enumerate(text.splitlines(), 1):
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if not in_fence:
            yield number, line


def slug(heading):
    """GitHub's anchor for a heading: the rendered text (code spans and links reduced to their
    text), lower case, punctuation other than '-' and '_' dropped, spaces as '-'."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = text.replace("`", "").lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path, cache={}):
    if path not in cache:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        seen, found = {}, set()
        for _, line in prose_lines(text):
            m = HEADING.match(line)
            if not m:
                continue
            base = slug(m.group(2))
            n = seen.get(base, 0)
            seen[base] = n + 1
            found.add(base if n == 0 else f"{base}-{n}")
        # Explicit HTML anchors count too.
        found.update(re.findall(r"<a\s+(?:name|id)=\"([^\"]+)\"", text))
        cache[path] = found
    return cache[path]


def check_page(root, page):
    """The broken relative links of one page, and how many relative links it has."""
    errors, links = [], 0
    with open(page, encoding="utf-8") as f:
        text = f.read()
    rel_page = os.path.relpath(page, root)
    for number, line in prose_lines(text):
        for target in LINK.findall(CODE_SPAN.sub("", line)):
            if SCHEME.match(target) or target.startswith("//"):
                continue  # absolute URLs are not checked (no network)
            links += 1
            path_part, _, anchor = target.partition("#")
            if path_part:
                dest = os.path.normpath(os.path.join(os.path.dirname(page), path_part))
                if not os.path.exists(dest):
                    errors.append(f"{rel_page}:{number}: link '{target}': "
                                  f"{os.path.relpath(dest, root)} does not exist")
                    continue
                if not os.path.realpath(dest).startswith(os.path.realpath(root) + os.sep):
                    errors.append(f"{rel_page}:{number}: link '{target}' leaves the repository")
                    continue
            else:
                dest = page
            if anchor and dest.endswith(".md") and os.path.isfile(dest):
                if anchor not in anchors(dest):
                    errors.append(f"{rel_page}:{number}: link '{target}': no heading with anchor "
                                  f"'#{anchor}' in {os.path.relpath(dest, root)}")
    return errors, links


def main():
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        print("usage: docs_links.py REPO_ROOT", file=sys.stderr)
        return 2
    root = os.path.abspath(sys.argv[1])
    readme = os.path.join(root, "README.md")
    pages = [readme, os.path.join(root, "input", "README.md")]
    pages += sorted(glob.glob(os.path.join(root, "docs", "*.md")))
    errors, links = [], 0
    for page in pages:
        if not os.path.isfile(page):
            errors.append(f"{os.path.relpath(page, root)} does not exist")
            continue
        page_errors, page_links = check_page(root, page)
        errors += page_errors
        links += page_links
    if links == 0:
        errors.append("no relative links found at all: the link pattern no longer matches")
    size = os.path.getsize(readme) if os.path.isfile(readme) else 0
    if size >= README_LIMIT:
        errors.append(f"README.md is {size} bytes, the limit is {README_LIMIT}: move the detail "
                      "into a docs/ page and link it")
    for e in errors:
        print(e)
    print(f"docs_links: {len(pages)} pages, {links} relative links, README.md {size} bytes, "
          f"{len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
