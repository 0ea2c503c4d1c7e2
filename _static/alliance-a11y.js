/* Accessibility fixes for the theme's JavaScript-only buttons (loaded on every page by
 * alliance/sphinxext.py). These buttons carry the class `pst-js-only`: they exist for a
 * reader only when JavaScript runs, so fixing them here covers every reader who sees them.
 *
 * - Search fields ("Search Ctrl+K"): their aria-label "Search" left out the visible
 *   shortcut text (axe: label-content-name-mismatch). The label is removed, so the button
 *   is named by what it shows; the shortcut is also announced with aria-keyshortcuts.
 * - Colour-mode button: its icons carried titles ("Light", "Dark", "System Settings") that
 *   Font Awesome turns into visible-to-AT text which the aria-label "Color mode" does not
 *   contain. The icons are decorative (the button's label says what it does): hidden from AT,
 *   and the label names the current mode instead.
 */
(function () {
  "use strict";

  function fixSearchFields() {
    document.querySelectorAll("button.search-button-field[aria-label]").forEach(function (button) {
      button.removeAttribute("aria-label");
      button.setAttribute("aria-keyshortcuts", "Control+K");
    });
  }

  function decorative(icon) {
    icon.setAttribute("aria-hidden", "true");
    icon.removeAttribute("title");
    icon.removeAttribute("role");
    icon.removeAttribute("aria-labelledby");
    icon.querySelectorAll("title").forEach(function (title) { title.remove(); });
  }

  function fixThemeSwitch(button) {
    button.querySelectorAll(".theme-switch, svg, i").forEach(decorative);
    var mode = document.documentElement.dataset.mode || "auto";
    var names = { light: "light", dark: "dark", auto: "system setting" };
    var label = "Color mode (" + (names[mode] || mode) + ")";
    if (button.getAttribute("aria-label") !== label) {
      button.setAttribute("aria-label", label);
    }
  }

  function fixThemeSwitches() {
    document.querySelectorAll("button.theme-switch-button").forEach(function (button) {
      fixThemeSwitch(button);
      // Font Awesome may replace the <i> icons with <svg> later: fix those, too.
      if (!button.dataset.allianceA11y) {
        button.dataset.allianceA11y = "true";
        new MutationObserver(function () { fixThemeSwitch(button); })
          .observe(button, { childList: true, subtree: true });
      }
    });
  }

  function run() {
    fixSearchFields();
    fixThemeSwitches();
  }

  new MutationObserver(fixThemeSwitches)
    .observe(document.documentElement, { attributes: true, attributeFilter: ["data-mode"] });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", run);
  } else {
    run();
  }
})();
