/* Citation popovers (the course's own; see alliance/book/popovers.py and CONTRIBUTING.md).
 * An evidence link (a.alliance-para-link, one class alliance-p-<source>-<N> per cited paragraph)
 * shows the cited paragraphs' text (window.allianceParagraphs) on mouse hover or keyboard focus, as
 * a role="tooltip" box the link's aria-describedby names while it is shown. A tap (touch) opens the
 * box instead of following the link, with a link "Open in the source reader"; a second tap on the
 * same citation follows it. Escape, a click or tap elsewhere, or the mouse leaving close it. */
(function () {
  'use strict';
  var LINK = 'a.alliance-para-link', ID = 'alliance-popover', MAX = 3;
  var PARA = /^alliance-p-([a-z][a-z0-9_]*)-(\d+)$/;
  var box = null, current = null, tapped = false, lastPointer = '', muted = null;
  var showTimer = 0, hideTimer = 0, described = null;

  function linkOf(target) { return target && target.closest ? target.closest(LINK) : null; }

  function add(parent, tag, cls, text) {
    var el = document.createElement(tag);
    el.className = cls; el.textContent = text; parent.appendChild(el); return el;
  }

  /* The paragraphs a link cites, from its classes: [{key: 'su2017-4', source: 'su2017', para: '4'}]. */
  function cited(link) {
    var found = [];
    for (var i = 0; i < link.classList.length; i++) {
      var m = PARA.exec(link.classList[i]);
      if (m) { found.push({key: m[1] + '-' + m[2], source: m[1], para: m[2]}); }
    }
    return found;
  }

  function fill(link) {
    box.textContent = '';
    if (tapped) {  /* first, so it shows without scrolling the box */
      var open = add(add(box, 'p', 'alliance-popover-open', ''), 'a', '', 'Open in the source reader');
      open.href = link.getAttribute('href');
    }
    if (link.classList.contains('alliance-absence-link')) {
      var note = link.querySelector('.alliance-note-text');
      add(box, 'p', 'alliance-popover-text',
          note ? note.textContent.replace(/^[\s:]+/, '') : (link.getAttribute('aria-label') || link.textContent));
    } else {
      var paras = cited(link), texts = window.allianceParagraphs || {};
      paras.slice(0, MAX).forEach(function (p) {
        var entry = texts[p.key];
        add(box, 'p', 'alliance-popover-cite', (entry ? entry.cite : p.source) + ' \u00b6' + p.para);
        add(box, 'p', 'alliance-popover-text', entry ? entry.text : 'The text is in the source reader.');
      });
      if (paras.length > MAX) { add(box, 'p', 'alliance-popover-more', 'and ' + (paras.length - MAX) + ' more'); }
    }
  }

  function place(link) {
    var rects = link.getClientRects(), first = rects[0] || link.getBoundingClientRect();
    var last = rects[rects.length - 1] || first, root = document.documentElement;
    box.style.left = '0px'; box.style.top = '0px';
    var width = box.offsetWidth, height = box.offsetHeight, viewWidth = root.clientWidth;
    var left = Math.max(8, Math.min(first.left, viewWidth - width - 8));
    var below = last.bottom + 6, above = first.top - height - 6;
    /* Below the link if it fits, else above if it fits there, else below (the page scrolls to it). */
    var top = below + height <= window.innerHeight - 8 || above < 8 ? below : above;
    box.style.left = Math.round(left + window.scrollX) + 'px';
    box.style.top = Math.round(top + window.scrollY) + 'px';
  }

  function ensureBox() {
    if (box) { return; }
    box = document.createElement('div');
    box.id = ID; box.className = 'alliance-popover'; box.hidden = true;
    box.addEventListener('pointerleave', function (e) { if (!tapped && e.pointerType !== 'touch') { hideSoon(); } });
    box.addEventListener('pointerenter', function () { clearTimeout(hideTimer); });
    document.body.appendChild(box);
  }

  function show(link, byTap) {
    clearTimeout(showTimer); clearTimeout(hideTimer);
    if (current === link && !box.hidden && (tapped || !byTap)) { return; }
    if (current && current !== link) { hide(); }
    ensureBox();
    current = link; tapped = byTap;
    if (byTap) { box.setAttribute('role', 'dialog'); box.setAttribute('aria-label', 'Cited text'); }
    else { box.setAttribute('role', 'tooltip'); box.removeAttribute('aria-label'); }
    box.classList.toggle('alliance-popover-tapped', byTap);
    fill(link);
    box.hidden = false;
    place(link);
    if (byTap && box.getBoundingClientRect().bottom > window.innerHeight) { box.scrollIntoView({block: 'nearest'}); }
    if (described === null) {
      described = link.getAttribute('aria-describedby') || '';
      link.setAttribute('aria-describedby', (described ? described + ' ' : '') + ID);
    }
  }

  function hide() {
    clearTimeout(showTimer); clearTimeout(hideTimer);
    if (!current) { return; }
    if (described) { current.setAttribute('aria-describedby', described); }
    else { current.removeAttribute('aria-describedby'); }
    described = null; box.hidden = true; current = null; tapped = false;
  }

  /* Close soon, unless the pointer is on the link or the box, or the link has the keyboard focus. */
  function hideSoon() {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(function () {
      if (!current || tapped) { return; }
      var active = document.activeElement;
      if (current.matches(':hover') || box.matches(':hover') || box.contains(active) ||
          (active === current && current.matches(':focus-visible'))) { return; }
      hide();
    }, 250);
  }

  document.addEventListener('pointerdown', function (e) { lastPointer = e.pointerType; }, true);
  document.addEventListener('pointerover', function (e) {
    lastPointer = e.pointerType;
    var link = linkOf(e.target);
    if (!link || e.pointerType === 'touch' || link === muted) { return; }
    clearTimeout(hideTimer);
    if (link !== current) {
      clearTimeout(showTimer);
      showTimer = setTimeout(function () { show(link, false); }, 150);
    }
  });
  document.addEventListener('pointerout', function (e) {
    var link = linkOf(e.target);
    if (!link || link.contains(e.relatedTarget)) { return; }
    if (link === muted) { muted = null; }
    clearTimeout(showTimer);
    if (link === current && e.pointerType !== 'touch') { hideSoon(); }
  });
  document.addEventListener('focusin', function (e) {
    var link = linkOf(e.target);
    if (link && link !== muted) { show(link, false); }
  });
  document.addEventListener('focusout', function (e) {
    var link = linkOf(e.target);
    if (link === muted) { muted = null; }
    if (current && (link === current || box.contains(e.target)) && !box.contains(e.relatedTarget) &&
        e.relatedTarget !== current) { hideSoon(); }
  });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape' && current && !box.hidden) { muted = current; hide(); }
  });
  document.addEventListener('click', function (e) {
    var link = linkOf(e.target);
    var pointer = typeof e.pointerType === 'string' ? e.pointerType : lastPointer;
    if (link && pointer === 'touch' && !box_contains(e.target)) {
      if (e.defaultPrevented || (current === link && tapped && !box.hidden)) { return; }  /* second tap: follow */
      e.preventDefault();
      muted = null;
      show(link, true);
      return;
    }
    if (current && !box_contains(e.target) && link !== current) { hide(); }
  });
  window.addEventListener('resize', function () { if (current) { place(current); } });

  function box_contains(node) { return !!box && box.contains(node); }
})();
