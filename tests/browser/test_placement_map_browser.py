"""A species' placements on the basin map, as a user sees them in headless Chromium: recorded ecoregions
(amur:occursIn) in one tone, possible ones (amur:possiblyOccursIn) in another, the methods on hover. The tones
are checked in a screenshot of the map, by counting the pixels of each tone's colour."""

from __future__ import annotations

import json
import struct
import urllib.parse
import urllib.request
import zlib

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from kg.namespaces import DEFAULT_BASE

WAIT = 60  # seconds: a ceiling for slow machines, never a timing assertion
# server/static/explorer/explorer.css: --recorded and --possible
RECORDED_RGB = (0xB0, 0x3A, 0x0E)
POSSIBLE_RGB = (0xF6, 0xCF, 0x9B)
# a region is a few thousand pixels at least; strokes and labels take some of it
MIN_PIXELS = 300

PREFIXES = "PREFIX amur: <https://w3id.org/amurkg/ontology#>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"


def sparql(base: str, query: str) -> list[dict]:
    request = urllib.request.Request(
        base + "/sparql?" + urllib.parse.urlencode({"query": PREFIXES + query}),
        headers={"Accept": "application/sparql-results+json"},
    )
    with urllib.request.urlopen(request, timeout=WAIT) as response:
        bindings = json.load(response)["results"]["bindings"]
    return [{k: v["value"] for k, v in row.items()} for row in bindings]


def species_with_both(base: str) -> str:
    """A species recorded in some terrestrial ecoregions (drawn on the map) and possible in others."""
    rows = sparql(
        base,
        """SELECT ?t (COUNT(DISTINCT ?r) AS ?nr) (COUNT(DISTINCT ?p) AS ?np) WHERE {
        ?t amur:occursIn ?r ; amur:possiblyOccursIn ?p .
        ?r a amur:TerrestrialEcoregion . ?p a amur:TerrestrialEcoregion }
        GROUP BY ?t ORDER BY DESC(IF(?nr < ?np, ?nr, ?np)) ?t LIMIT 1""",
    )
    assert rows, "no species has both recorded and possible placements"
    return rows[0]["t"]


def codes(base: str, species: str, shortcut: str) -> set[str]:
    rows = sparql(
        base,
        f"""SELECT DISTINCT ?code WHERE {{ <{species}> amur:{shortcut} ?e .
        ?e a amur:TerrestrialEcoregion ; skos:notation ?code }}""",
    )
    return {r["code"] for r in rows}


def decode_png(data: bytes) -> tuple[int, int, int, bytes]:
    """Width, height, bytes per pixel and the raw pixel rows of an 8-bit RGB(A) PNG (what Chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, idat = 8, b""
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    bpp = 4 if colour == 6 else 3
    raw = zlib.decompress(idat)
    stride = width * bpp
    pixels = bytearray()
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):  # undo the scanline filter
            left = line[i - bpp] if i >= bpp else 0
            up = previous[i]
            corner = previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        pixels += line
        previous = line
    return width, height, bpp, bytes(pixels)


def count_colour(png: bytes, rgb: tuple[int, int, int], tolerance: int = 10) -> int:
    width, height, bpp, pixels = decode_png(png)
    return sum(
        1
        for i in range(0, width * height * bpp, bpp)
        if all(abs(pixels[i + c] - rgb[c]) <= tolerance for c in range(3))
    )


def test_species_map_shows_recorded_and_possible_apart(browser, live_server, tmp_path):
    species = species_with_both(live_server)
    recorded, possible = codes(live_server, species, "occursIn"), codes(live_server, species, "possiblyOccursIn")
    assert recorded and possible and not recorded & possible
    driver = browser
    driver.set_window_size(1280, 2200)  # the whole map in the viewport, so its screenshot is not clipped
    wait = WebDriverWait(driver, WAIT)
    driver.get(live_server + "/" + species.removeprefix(DEFAULT_BASE))  # the explorer serves {base}x at /x
    figure = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "section.ecoregions figure.basin-map")))
    driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", figure)

    # the map's regions carry the tone of the graph's shortcut, and the methods on hover
    toned = {
        el.get_attribute("data-code"): el.get_attribute("data-tone")
        for el in figure.find_elements(By.CSS_SELECTOR, "a.region[data-tone]")
    }
    assert {c for c, tone in toned.items() if tone == "recorded"} == recorded
    assert {c for c, tone in toned.items() if tone == "possible"} == possible
    methods: dict[str, set[str]] = {}
    for row in driver.find_elements(By.CSS_SELECTOR, "table.placements tbody tr"):
        cells = row.find_elements(By.TAG_NAME, "td")
        code = cells[0].find_element(By.TAG_NAME, "code").text
        methods.setdefault(code, set()).add(cells[2].text)
        assert cells[1].text == ("recorded" if code in recorded else "possible"), code
    for code, tone in toned.items():
        title = figure.find_element(By.CSS_SELECTOR, f'a.region[data-code="{code}"] title')
        hover = title.get_attribute("textContent")
        assert f"— {tone}:" in hover, hover
        assert all(method in hover for method in methods[code]), (hover, methods[code])

    # the screenshot: both tones are drawn, each over a region-sized area
    png = figure.screenshot_as_png
    (tmp_path / "placement-map.png").write_bytes(png)
    recorded_pixels, possible_pixels = count_colour(png, RECORDED_RGB), count_colour(png, POSSIBLE_RGB)
    assert recorded_pixels > MIN_PIXELS, recorded_pixels
    assert possible_pixels > MIN_PIXELS, possible_pixels

    # control: an ecoregion page's map highlights one region and uses neither tone
    driver.get(live_server + "/ecoregion/" + sorted(recorded)[0])
    plain = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "figure.basin-map")))
    driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", plain)
    png = plain.screenshot_as_png
    assert count_colour(png, RECORDED_RGB) < MIN_PIXELS / 10
    assert count_colour(png, POSSIBLE_RGB) < MIN_PIXELS / 10
