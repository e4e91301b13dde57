"""What a crawl's addresses say about which page translates which.

Bilingual sites name a page's translation in three common ways, and
:func:`bialign.match_documents` takes each as evidence (``hints=``), never as proof:

- an ``hreflang`` link in the page (``<link rel="alternate" hreflang="es" href=...>``),
  the page's own statement of where its translation is: kind ``"hreflang"``;
- two addresses that differ only in a language marker (``/en/`` and ``/es/``,
  ``en.site`` and ``es.site``, ``?lang=en``, ``story.en.html``): kind ``"url"``;
- two addresses on one site that share an identifying number (``/en/story-12345`` and
  ``/es/historia-12345``) found once on each side: kind ``"number"`` (only for
  addresses with a host: the files of a crawl folder are often numbered in order).

Two pages that both carry a language marker on the same site, but whose addresses do
not correspond, are evidence against a match (kind ``"conflict"``): on such a site the
translation would have had the corresponding address.

Addresses are compared after lower-casing the host, dropping ``www.``, the scheme, the
fragment and a trailing slash or ``index.html``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import SplitResult, parse_qsl, unquote, urlencode, urljoin, urlsplit

from .errors import ConfigError
from .languages import LANGUAGES

#: Hint kinds, strongest first.
HINT_KINDS = ("hreflang", "url", "number")
CONFLICT = "conflict"

#: Query parameters that name a page's language.
_LANG_PARAMS = frozenset({"lang", "language", "hl", "locale", "lng"})
_NUMBER = re.compile(r"\d{3,}")
_YEAR = re.compile(r"(19|20)\d\d")
#: A language code before a file's extension, or as its last dotted part:
#: ``story.en.html``, ``index.es``. Only a dot separates it: a slug that ends in "-es"
#: ("que-es") or "-en" is a word, not a marker.
_SUFFIX = re.compile(
    r"^(?P<stem>[^.]+?)\.(?P<marker>[a-z]{2}(?:[-_][a-z]{2})?)(?P<ext>\.[a-z0-9]+)?$", re.I
)
#: A language code with a region: en-us, es_ES, es-419, zh-Hans.
_CODE_REGION = re.compile(r"[a-z]{2}[-_](?:[a-z]{2}|[a-z]{4}|\d{3})")
#: Second-level labels under which a country's sites register (bbc.co.uk, unam.edu.mx).
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "gov", "gob", "edu", "ac", "nom"})
_DEFAULT_PORTS = (":80", ":443")


def language_markers(lang: str) -> frozenset[str]:
    """How an address may mark ``lang``: its code, the code with a region (matched by
    prefix), and its names in every language bialign knows (``spanish``, ``español``)."""
    code = lang.lower()
    names = {n for entry in LANGUAGES.values() for n in entry.language_names.get(code, ())}
    return frozenset({code, *names})


def _is_marker(token: str, markers: frozenset[str]) -> bool:
    token = unquote(token).lower()  # "espa%C3%B1ol", as crawled addresses spell it
    if token in markers:
        return True
    # en-us, es_ES, es-419: a code with a region, nothing more ("es-oficial" is a slug).
    return bool(_CODE_REGION.fullmatch(token)) and token[:2] in markers


def _host(netloc: str) -> str:
    host = netloc.lower().removeprefix("www.")
    for port in _DEFAULT_PORTS:
        host = host.removesuffix(port)
    return host


def _split(url: str) -> SplitResult:
    """urlsplit, except that an address it cannot parse ("http://[::1", as crawls hold)
    is read as a bare path: evidence is never worth a crash."""
    try:
        return urlsplit(url.strip())
    except ValueError:
        return SplitResult("", "", url.strip(), "", "")


def _join(base: str, href: str) -> str:
    try:
        return urljoin(base, href.strip())
    except ValueError:
        return href.strip()


def normalise(url: str) -> str:
    """An address as compared: host lower-cased without ``www.``, no scheme, fragment or
    trailing slash, query parameters sorted."""
    parts = _split(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    return _address(_host(parts.netloc), unquote(parts.path), query)


def _address(host: str, path: str, query: list[tuple[str, str]]) -> str:
    """The compared form of an address (:func:`normalise`) and of a key
    (:func:`url_key`), one way for both, since a site's unmarked address is compared
    with the other language's key."""
    # A path inside a crawl folder ("en/story.html") and its absolute form compare equal.
    path = re.sub(r"/(index\.html?)?$", "", "/" + path.lstrip("/"))
    q = urlencode(sorted(query))
    return f"{host}{path}" + (f"?{q}" if q else "")


def url_key(url: str, lang: str) -> str | None:
    """The address with its marker of ``lang`` taken out, or None when it has none: two
    pages with the same key are one page in two languages."""
    parts = _split(url)
    markers = language_markers(lang)
    found = False
    labels = _host(parts.netloc).split(".")
    if len(labels) > 2 and _is_marker(labels[0], markers):
        labels, found = labels[1:], True
    segments = []
    for seg in unquote(parts.path).split("/"):
        if _is_marker(seg, markers):
            found = True
        else:
            segments.append(seg)
    query = []
    for k, v in parse_qsl(parts.query, keep_blank_values=True):
        if k.lower() in _LANG_PARAMS and _is_marker(v, markers):
            found = True
            continue
        query.append((k, v))
    if not found and segments:
        # Only where nothing else marks the address: a code before the extension.
        m = _SUFFIX.match(segments[-1])
        if m and _is_marker(m["marker"], markers):
            segments[-1], found = m["stem"] + (m["ext"] or ""), True
    if not found:
        return None
    return _address(".".join(labels), "/".join(segments), query)


def _site(url: str) -> str:
    """The registered part of an address's host, for an address or a :func:`url_key`
    (which has no scheme): its last two labels, or three under a country's second level
    (``bbc.co.uk``, ``unam.edu.mx``); "" for a path without a host."""
    url = url.strip()
    netloc = _split(url).netloc if "://" in url or url.startswith("//") else url.split("/")[0]
    labels = _host(netloc).split(".")
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:]) if len(labels) >= 2 else ""


def _site_numbers(url: str | None) -> list[tuple[str, str]]:
    """(site, number) for each identifying number of an address with a host."""
    site = _site(url) if url else ""
    return [(site, n) for n in _numbers(url)] if url and site else []


def _numbers(url: str) -> set[str]:
    """Identifying numbers of an address: runs of 3 or more digits in its path and query
    that are not years."""
    parts = _split(url)
    return {n for n in _NUMBER.findall(parts.path + "?" + parts.query) if not _YEAR.fullmatch(n)}


def hreflang_links(html: str, base_url: str = "") -> dict[str, str]:
    """The ``hreflang`` alternates a page declares (``<link>`` or ``<a>``), language code
    (without region) -> absolute address."""
    from selectolax.lexbor import LexborHTMLParser

    out: dict[str, str] = {}
    for node in LexborHTMLParser(html).css("link[hreflang], a[hreflang]"):
        attrs = node.attributes
        rel = (attrs.get("rel") or "").lower().split()
        kind = (attrs.get("type") or "text/html").lower()
        if node.tag == "link" and "alternate" not in rel:
            continue  # a stylesheet or an icon, not the page in another language
        if "html" not in kind:
            continue  # a feed in that language ("application/rss+xml"), not the page
        lang = _code(attrs.get("hreflang") or "")
        href = attrs.get("href") or ""
        if lang and href and lang != "x":
            out.setdefault(lang, _join(base_url, href))
    return out


def _code(lang: str) -> str:
    """A language tag's language: "es-ES" and "es_419" -> "es"."""
    return lang.split("-")[0].split("_")[0].strip().lower()


@dataclass(frozen=True)
class UrlHints:
    """Address evidence about pairs of two collections (make it with :func:`url_hints`).

    ``pairs`` maps ``(src index, tgt index)`` to the kind of evidence that pairs them
    (:data:`HINT_KINDS`). ``src_keys`` and ``tgt_keys`` are each page's :func:`url_key`
    (None without a language marker); on a site whose marked addresses pair up by key
    (``paired_sites``), two marked pages with different keys conflict."""

    pairs: Mapping[tuple[int, int], str] = field(default_factory=dict)
    src_keys: Sequence[str | None] = ()
    tgt_keys: Sequence[str | None] = ()
    paired_sites: frozenset[str] = frozenset()

    def about(self, i: int, j: int) -> str | None:
        """The evidence on pair ``(i, j)``: a hint kind, ``"conflict"`` or None."""
        kind = self.pairs.get((i, j))
        if kind is not None:
            return kind
        a = self.src_keys[i] if i < len(self.src_keys) else None
        b = self.tgt_keys[j] if j < len(self.tgt_keys) else None
        if a and b and a != b and _site(a) == _site(b) and _site(a) in self.paired_sites:
            return CONFLICT
        return None


def url_hints(
    src_urls: Sequence[str | None],
    tgt_urls: Sequence[str | None],
    langs: tuple[str, str] = ("en", "es"),
    *,
    src_links: Sequence[Mapping[str, str] | None] | None = None,
    tgt_links: Sequence[Mapping[str, str] | None] | None = None,
) -> UrlHints:
    """The address evidence of two collections, for :func:`bialign.match_documents`'s
    ``hints=``. ``src_urls`` and ``tgt_urls`` are the pages' addresses (None where
    unknown); ``src_links`` and ``tgt_links`` each page's hreflang alternates
    (:func:`hreflang_links`), where the pages are HTML. A page's address may be a path
    inside a crawl folder (``en/story.html``): a link then finds it by its path."""
    src_urls, tgt_urls, given_src, given_tgt = _arguments(
        src_urls, tgt_urls, langs, src_links, tgt_links
    )
    # Links as the caller may give them ({"es-ES": ...}): by language code.
    src_links = [_by_code(x) for x in given_src] if given_src is not None else None
    tgt_links = [_by_code(x) for x in given_tgt] if given_tgt is not None else None
    pairs: dict[tuple[int, int], str] = {}
    src_at = _Addresses(src_urls)
    tgt_at = _Addresses(tgt_urls)
    # hreflang: a page names its translation's address.
    for side, (links_of, urls, at) in enumerate(
        ((src_links, src_urls, tgt_at), (tgt_links, tgt_urls, src_at))
    ):
        for k, links in enumerate(links_of or ()):
            target = (links or {}).get(_code(langs[1 - side]))
            if not target:
                continue
            for other in at.find(_join(urls[k] or "", target)):
                pairs[(k, other) if side == 0 else (other, k)] = "hreflang"
    # Addresses that differ only in the language marker, each key one page per side (a
    # page saved more than once under one address, as crawls revisit, is one page).
    src_keys = [url_key(u, langs[0]) if u else None for u in src_urls]
    tgt_keys = [url_key(u, langs[1]) if u else None for u in tgt_urls]
    src_pages, tgt_pages = _pages(src_keys, src_urls), _pages(tgt_keys, tgt_urls)
    paired: Counter[str] = Counter()
    marked: Counter[str] = Counter(_site(k) for k in set(src_keys) if k)
    for key in src_pages.keys() & tgt_pages.keys():
        _pair_all(pairs, src_pages[key], tgt_pages[key], "url")
        paired[_site(key)] += 1
    # A site that leaves one language unmarked ("site/story" against "site/es/story"):
    # the unmarked address is the key of the marked one.
    src_plain = _pages([normalise(u) if u and k is None else None
                        for u, k in zip(src_urls, src_keys, strict=True)], src_urls)  # fmt: skip
    tgt_plain = _pages([normalise(u) if u and k is None else None
                        for u, k in zip(tgt_urls, tgt_keys, strict=True)], tgt_urls)  # fmt: skip
    # (Not for a key the marked pages of both sides share: an unmarked copy of a marked
    # page is a legacy or redirect copy, not a second translation.)
    for key in (src_plain.keys() & tgt_pages.keys()) - src_pages.keys():
        _pair_all(pairs, src_plain[key], tgt_pages[key], "url")
    for key in (src_pages.keys() & tgt_plain.keys()) - tgt_pages.keys():
        _pair_all(pairs, src_pages[key], tgt_plain[key], "url")
    # A number that identifies one page on each side of one site (of a real site: files
    # of a crawl folder are often numbered in the order they were saved).
    src_numbers = _unique([_site_numbers(u) for u in src_urls])
    tgt_numbers = _unique([_site_numbers(u) for u in tgt_urls])
    for key, i in src_numbers.items():
        if key in tgt_numbers:
            pairs.setdefault((i, tgt_numbers[key]), "number")
    # A site pairs by address when at least half its marked source pages found a key.
    sites = frozenset(site for site, n in paired.items() if 2 * n >= marked[site])
    return UrlHints(pairs, src_keys, tgt_keys, sites)


def _arguments(
    src_urls: object, tgt_urls: object, langs: object, src_links: object, tgt_links: object
) -> tuple[list[str | None], list[str | None], list[Any] | None, list[Any] | None]:
    """url_hints's arguments as lists (a list, tuple, numpy array or pandas Series of
    addresses; NaN counts as None), or a ConfigError that names what is wrong."""
    if not (isinstance(langs, tuple | list) and len(langs) == 2
            and all(isinstance(x, str) and x for x in langs)):  # fmt: skip
        raise ConfigError(f"langs must be two language codes such as ('en', 'es'), not {langs!r}")
    lists: list[list[Any]] = []
    for name, urls in (("src_urls", src_urls), ("tgt_urls", tgt_urls)):
        if isinstance(urls, str | bytes | Mapping) or not hasattr(urls, "__len__"):
            raise ConfigError(f"{name} must be a list of addresses (str or None), not "
                              f"{type(urls).__name__}")  # fmt: skip
        items = [None if isinstance(u, float) and u != u else u for u in urls]  # type: ignore[attr-defined]
        bad = next((u for u in items if u is not None and not isinstance(u, str)), None)
        if bad is not None:
            raise ConfigError(f"{name} holds {bad!r}: each address is a str or None")
        lists.append(items)
    links_lists: list[list[Any] | None] = []
    for name, links, urls in (("src", src_links, lists[0]), ("tgt", tgt_links, lists[1])):
        if links is None:
            links_lists.append(None)
            continue
        if isinstance(links, str | bytes | Mapping) or not hasattr(links, "__len__"):
            raise ConfigError(f"{name}_links must be a list with one mapping per page")
        items = list(links)  # type: ignore[call-overload]
        if len(items) != len(urls):
            raise ConfigError(
                f"{name}_links holds {len(items)} entries for {len(urls)} {name}_urls: give "
                "one (possibly empty) mapping per page"
            )
        bad = next((x for x in items if x is not None and not isinstance(x, Mapping)), None)
        if bad is not None:
            raise ConfigError(f"{name}_links holds {bad!r}: each entry is a mapping of "
                              "language code to address, or None")  # fmt: skip
        links_lists.append(items)
    return lists[0], lists[1], links_lists[0], links_lists[1]


def _by_code(links: Mapping[str, str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for lang, href in (links or {}).items():
        if isinstance(href, str) and href:
            out.setdefault(_code(str(lang)), href)
    return out


class _Addresses:
    """The pages of one side by address; a page known only by a path inside a crawl
    folder (no host: ``en/a.html``, ``s.com/en/a.html``, ``mirror/en/a.html``) is also
    found by any tail of its path, when that tail is its alone."""

    def __init__(self, urls: Sequence[str | None]) -> None:
        self.full: dict[str, list[int]] = {}
        #: A folder page's first segment when it names a host ("www.site.com/es/b.html",
        #: as wget saves a site), without "www.".
        self.folder_host: dict[int, str] = {}
        tails: dict[str, list[int]] = {}
        for k, u in enumerate(urls):
            if not u:
                continue
            address = normalise(u)
            self.full.setdefault(address, []).append(k)
            if address.startswith("/"):
                parts = address.split("/")[1:]
                if len(parts) > 2 and "." in parts[0]:
                    parts[0] = parts[0].lower().removeprefix("www.")
                    self.folder_host[k] = parts[0]
                for t in range(len(parts)):
                    tails.setdefault("/" + "/".join(parts[t:]), []).append(k)
        self.tails = {tail: ks for tail, ks in tails.items() if len(set(ks)) == 1}

    def find(self, url: str) -> list[int]:
        address = normalise(url)
        if address in self.full:
            return self.full[address]
        # A folder that keeps the host ("site/es/b.html", as wget saves it) first, then
        # the path alone, unless the folder names another host.
        if "/" + address in self.tails:
            return self.tails["/" + address][:1]
        host, _, rest = address.partition("/")
        path = "/" + rest if host else address
        found = self.tails.get(path, [])[:1] if path.count("/") >= 2 else []
        return [k for k in found if self.folder_host.get(k, host) == host or not host]


def _pages(values: Sequence[str | None], urls: Sequence[str | None]) -> dict[str, list[int]]:
    """Each value -> the positions holding it, kept when they are one page: a single
    position, or copies saved under one address (a crawl's revisits)."""
    found: dict[str, list[int]] = {}
    for k, v in enumerate(values):
        if v:
            found.setdefault(v, []).append(k)
    return {
        v: ks
        for v, ks in found.items()
        if len(ks) == 1 or len({normalise(urls[k] or "") for k in ks}) == 1
    }


def _pair_all(pairs: dict[tuple[int, int], str], src: list[int], tgt: list[int], kind: str) -> None:
    for i in src:
        for j in tgt:
            pairs.setdefault((i, j), kind)


def _unique(values: Sequence[Any]) -> dict[Any, int]:
    """Each value (or each item of a list value) found at exactly one position -> it."""
    seen: Counter[Any] = Counter()
    where: dict[Any, int] = {}
    for k, v in enumerate(values):
        for item in v if isinstance(v, list) else ([v] if v else []):
            seen[item] += 1
            where[item] = k
    return {item: k for item, k in where.items() if seen[item] == 1}
