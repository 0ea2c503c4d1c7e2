/* alliance: self-checks on the chapter pages (alliance/book/selfcheck.py writes the forms; no library). */
(function () {
  'use strict';
  var CORRECT = 'Correct.', NOT_QUITE = 'Not quite.', CHOOSE = 'Choose an answer first.', TYPE = 'Type an answer first.';

  /* The same normalisation as alliance.selfcheck.normalize_answer. */
  function normalize(text) {
    var out = String(text).normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
    return out.replace(/^[\s"'\u201c\u201d\u2018\u2019.!?;:,]+|[\s"'\u201c\u201d\u2018\u2019.!?;:,]+$/g, '');
  }

  function typedIsCorrect(form, given) {
    var accepted = JSON.parse(form.getAttribute('data-accept') || '[]');
    if (accepted.indexOf(given) >= 0) { return true; }
    var pattern = form.getAttribute('data-pattern');
    return !!pattern && new RegExp('^(?:' + pattern + ')$', 'i').test(given);
  }

  function say(form, verdict, showAnswer) {
    var box = form.querySelector('.alliance-selfcheck-verdict');
    var answer = form.querySelector('.alliance-selfcheck-answer');
    form.classList.remove('alliance-selfcheck-right', 'alliance-selfcheck-wrong');
    if (showAnswer) { form.classList.add(verdict === CORRECT ? 'alliance-selfcheck-right' : 'alliance-selfcheck-wrong'); }
    /* Cleared first, so that the same verdict twice is announced twice. */
    box.textContent = '';
    answer.hidden = true;
    window.setTimeout(function () {
      box.textContent = verdict;
      if (showAnswer) { answer.hidden = false; answer.open = true; }
    }, 50);
  }

  function check(form) {
    if (form.getAttribute('data-kind') === 'text') {
      var field = form.querySelector('input[type="text"]');
      var given = normalize(field.value);
      if (!given) { say(form, TYPE, false); return; }
      say(form, typedIsCorrect(form, given) ? CORRECT : NOT_QUITE, true);
      return;
    }
    var chosen = form.querySelector('input[type="radio"]:checked');
    if (!chosen) { say(form, CHOOSE, false); return; }
    say(form, chosen.hasAttribute('data-correct') ? CORRECT : NOT_QUITE, true);
  }

  function init(form) {
    var answer = form.querySelector('.alliance-selfcheck-answer');
    var summary = answer && answer.querySelector('summary');
    if (!answer) { return; }
    /* With the script, the answer is shown by "Check", not by its own toggle. */
    answer.hidden = true;
    if (summary) { summary.hidden = true; }
    form.classList.add('alliance-selfcheck-ready');
    form.addEventListener('submit', function (event) { event.preventDefault(); check(form); });
    /* Enter on an option checks it (as it does in the text field). */
    form.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' && event.target.type === 'radio') { event.preventDefault(); check(form); }
    });
    /* A new choice or a new answer: the old verdict no longer applies. */
    form.addEventListener('change', function (event) {
      if (event.target.type === 'radio') { clear(form); }
    });
    form.addEventListener('input', function (event) {
      if (event.target.type === 'text') { clear(form); }
    });
  }

  function clear(form) {
    var box = form.querySelector('.alliance-selfcheck-verdict');
    if (box.textContent === CORRECT || box.textContent === NOT_QUITE) {
      box.textContent = '';
      form.querySelector('.alliance-selfcheck-answer').hidden = true;
      form.classList.remove('alliance-selfcheck-right', 'alliance-selfcheck-wrong');
    }
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll('form.alliance-selfcheck'), init);
  }
  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', start); } else { start(); }
})();
