"""Driving a page with the keyboard alone (no clicks): keys go to whatever has the focus, as a
person's keyboard would, and every element Tab lands on must show where the focus is."""

from __future__ import annotations

from collections.abc import Callable

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement

MIN_OUTLINE_PX = 2


def focused(driver) -> WebElement:
    return driver.switch_to.active_element


def press(driver, *keys: str) -> None:
    ActionChains(driver).send_keys(*keys).perform()


def type_keys(driver, text: str) -> None:
    ActionChains(driver).send_keys(text).perform()


def focus_indicator(driver, element: WebElement) -> str | None:
    """None if the focused element shows a focus ring (outline of 2 px or more, or a box shadow);
    else a description of it for the failure message."""
    style = driver.execute_script(
        "const s = getComputedStyle(arguments[0]); return [s.outlineStyle, s.outlineWidth, s.boxShadow];", element
    )
    outline_style, outline_width, shadow = style
    if outline_style != "none" and float(outline_width.rstrip("px") or 0) >= MIN_OUTLINE_PX:
        return None
    if shadow and shadow != "none":
        return None
    return f"{element.tag_name}.{element.get_attribute('class')} {element.text!r}: no visible focus ({style})"


def tab_to(driver, wanted: Callable[[WebElement], bool], backwards: bool = False, limit: int = 60) -> WebElement:
    """Tab (or Shift+Tab) until the focused element is `wanted`; each stop must show its focus."""
    for _ in range(limit):
        if backwards:
            ActionChains(driver).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
        else:
            press(driver, Keys.TAB)
        element = focused(driver)
        if element.tag_name != "body":
            problem = focus_indicator(driver, element)
            assert problem is None, problem
        if wanted(element):
            return element
    raise AssertionError(f"{'Shift+' if backwards else ''}Tab never reached the element in {limit} steps")
