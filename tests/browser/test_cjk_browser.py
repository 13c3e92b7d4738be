"""Chinese names render with real glyphs (a CJK font, Debian fonts-noto-cjk from `make browser`), not as boxes."""

from __future__ import annotations

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

WAIT = 60  # seconds: a ceiling for slow machines, never a timing assertion

# Each character drawn alone on a canvas in the element's font, as pixels: missing glyphs all draw the same box
# (or nothing), real glyphs differ from each other.
GLYPH_PIXELS = """
const element = arguments[0], style = getComputedStyle(element);
const canvas = document.createElement('canvas'); canvas.width = canvas.height = 64;
const context = canvas.getContext('2d');
return Array.from(element.textContent.trim()).filter(c => c.trim() && c !== ',').map(c => {
  context.clearRect(0, 0, 64, 64);
  context.font = '40px ' + style.fontFamily; context.textBaseline = 'top'; context.fillText(c, 4, 4);
  return Array.from(context.getImageData(0, 0, 64, 64).data).join(',');
});
"""


def test_a_chinese_name_renders_with_a_cjk_font(browser, live_server, tmp_path):
    browser.get(live_server + "/taxon/panax-ginseng")
    name = WebDriverWait(browser, WAIT).until(EC.presence_of_element_located((By.CSS_SELECTOR, 'dd[lang="zh-Hans"]')))
    assert "人参" in name.text
    name.screenshot(str(tmp_path / "chinese-name.png"))

    # the font Chromium actually drew the name with (DevTools protocol), with glyphs from it
    browser.execute_cdp_cmd("DOM.enable", {})
    browser.execute_cdp_cmd("CSS.enable", {})
    root = browser.execute_cdp_cmd("DOM.getDocument", {})["root"]["nodeId"]
    node = browser.execute_cdp_cmd("DOM.querySelector", {"nodeId": root, "selector": 'dd[lang="zh-Hans"]'})["nodeId"]
    fonts = browser.execute_cdp_cmd("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    characters = [c for c in name.text if "\u3400" <= c <= "\u9fff"]
    assert any("CJK" in font["familyName"] and font["glyphCount"] >= len(characters) for font in fonts), fonts

    # and as pixels: the characters of the name are drawn different from each other
    pixels = browser.execute_script(GLYPH_PIXELS, name)
    assert len(pixels) >= 2 and len(set(pixels)) == len(set(name.text.replace(",", "").replace(" ", "")))
