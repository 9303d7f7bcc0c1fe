/* vnform: live show_if conditions. Mirrors vnform/expr.py (AST shape and semantics).
 *
 * Elements with data-show-if="<JSON AST>" inside a <form> are hidden (the `hidden` attribute,
 * their controls disabled) while their condition is false. Answers come from the form's
 * controls by `name`, over the form's data-answers JSON (answers from earlier pages).
 * No dependencies, no inline script; exposes window.vnformShowIf = {evaluate(ast, answers)}.
 */
(function () {
  'use strict';

  var NUMERIC = /^[ \t\n\r]*-?[0-9]+(?:\.[0-9]+)?[ \t\n\r]*$/;
  var ORDER = {
    '<': function (x, y) { return x < y; },
    '<=': function (x, y) { return x <= y; },
    '>': function (x, y) { return x > y; },
    '>=': function (x, y) { return x >= y; }
  };
  var own = Object.prototype.hasOwnProperty;

  // --- evaluation: same rules, same order as _eval() and friends in vnform/expr.py ---------

  function unwrap(v) { return Array.isArray(v) && v.length === 1 ? v[0] : v; }

  function answered(v) {
    v = unwrap(v);
    return v !== null && v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0);
  }

  function isNumber(v) { return typeof v === 'number'; }

  function toNumber(v) {
    if (isNumber(v)) return v;
    if (typeof v === 'string' && NUMERIC.test(v)) return Number(v);
    return null;
  }

  function equal(a, b) {
    a = unwrap(a);
    b = unwrap(b);
    if (!answered(a) || !answered(b) || Array.isArray(a) || Array.isArray(b)) return false;
    if (typeof a === 'boolean' || typeof b === 'boolean') return a === b;
    if (typeof a === 'string' && typeof b === 'string') return a === b;
    var x = toNumber(a), y = toNumber(b);
    return x !== null && y !== null && x === y;
  }

  function contains(container, item) {
    var items = Array.isArray(item) ? item : [item];
    var pool = Array.isArray(container) ? container : [container];
    return items.some(function (i) {
      return pool.some(function (c) { return equal(i, c); });
    });
  }

  function value(node, answers) {
    if (node.var !== undefined) return own.call(answers, node.var) ? answers[node.var] : null;
    return node.lit;
  }

  function evaluate(node, answers) {
    answers = answers || {};
    var op = node.op, args = node.args;
    if (op === undefined) return node.lit === true;
    if (op === 'and') return args.every(function (arg) { return evaluate(arg, answers); });
    if (op === 'or') return args.some(function (arg) { return evaluate(arg, answers); });
    if (op === 'not') return !evaluate(args[0], answers);
    var a = value(args[0], answers);
    if (op === 'answered') return answered(a);
    if (op === 'truthy') {
      a = unwrap(a);
      return answered(a) && a !== 'no' && a !== false;
    }
    var b = value(args[1], answers);
    if (op === '==' || op === '!=') return equal(a, b) === (op === '==');
    if (op === 'in' || op === 'not in') return contains(b, a) === (op === 'in');
    if (!own.call(ORDER, op)) throw new Error('vnformShowIf: unknown operator ' + op);
    a = unwrap(a);
    b = unwrap(b);
    if (typeof a === 'string' && typeof b === 'string') return false;
    var x = toNumber(a), y = toNumber(b);
    return x !== null && y !== null && ORDER[op](x, y);
  }

  window.vnformShowIf = { evaluate: evaluate };

  // --- page wiring -----------------------------------------------------------------------------

  var SKIP = { submit: 1, button: 1, reset: 1, image: 1, file: 1, hidden: 1 };
  var CONTROLS = 'input, select, textarea, button';

  function each(list, fn) { Array.prototype.forEach.call(list, fn); }

  function parseJSON(text, fallback) {
    try { return text ? JSON.parse(text) : fallback; } catch (e) { return fallback; }
  }

  // Current answers: earlier pages' answers under the live, enabled controls of this form.
  // A question of this form whose controls are all disabled (hidden) is unanswered.
  function readAnswers(form, stored) {
    var answers = Object.create(null);
    Object.keys(stored).forEach(function (k) { answers[k] = stored[k]; });
    var seen = Object.create(null);
    each(form.elements, function (el) {
      var name = el.name, type = (el.type || '').toLowerCase();
      if (!name || SKIP[type] || !/^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName)) return;
      if (!seen[name]) {
        seen[name] = true;
        answers[name] = type === 'checkbox' ? [] : null;
      }
      if (el.disabled || (el.matches && el.matches(':disabled'))) return;
      if (type === 'checkbox') {
        if (!Array.isArray(answers[name])) answers[name] = [];
        if (el.checked) answers[name].push(el.value);
      } else if (type === 'radio') {
        if (el.checked) answers[name] = el.value;
      } else if (el.tagName === 'SELECT' && el.multiple) {
        answers[name] = Array.prototype.map.call(el.selectedOptions, function (o) {
          return o.value;
        });
      } else {
        answers[name] = el.hasAttribute('data-number') ? cleanNumber(el.value) : el.value;
      }
    });
    return answers;
  }

  // Numbers as the server cleans them (vnform/cleaning.py): spaces dropped and a decimal
  // comma read as a point, so "1 000" and "12,5" compare as 1000 and 12.5 here too.
  function cleanNumber(text) {
    var compact = text.trim().replace(/\s+/g, '');
    return /^-?[0-9]+([.,][0-9]+)?$/.test(compact) ? compact.replace(',', '.') : text;
  }

  function setShown(el, shown) {
    el.hidden = !shown;
    var controls = Array.prototype.slice.call(el.querySelectorAll(CONTROLS));
    if (el.matches && el.matches(CONTROLS)) controls.push(el);
    controls.forEach(function (c) {
      if (!shown && !c.disabled) {
        c.disabled = true;
        c.setAttribute('data-show-if-disabled', '');
      } else if (shown && c.hasAttribute('data-show-if-disabled')) {
        c.disabled = false;
        c.removeAttribute('data-show-if-disabled');
      }
    });
  }

  function refresh(form, items, stored) {
    // Document order, re-reading answers each time: a question hidden by an earlier
    // condition has disabled controls and so counts as unanswered for later ones.
    items.forEach(function (item) {
      var parent = item.el.parentElement;
      var shown = !(parent && parent.closest && parent.closest('[data-show-if][hidden]'));
      if (shown && item.ast) {
        try {
          shown = evaluate(item.ast, readAnswers(form, stored));
        } catch (e) {
          shown = true; // fail open: never hide a question because of a script problem
        }
      }
      setShown(item.el, shown);
    });
  }

  function setUpForm(form) {
    var items = Array.prototype.map.call(form.querySelectorAll('[data-show-if]'), function (el) {
      return { el: el, ast: parseJSON(el.getAttribute('data-show-if'), null) };
    });
    if (!items.length) return;
    var stored = parseJSON(form.getAttribute('data-answers'), {});
    if (!stored || typeof stored !== 'object' || Array.isArray(stored)) stored = {};
    var update = function () { refresh(form, items, stored); };
    form.addEventListener('input', update);
    form.addEventListener('change', update);
    if (window.addEventListener) window.addEventListener('pageshow', update); // restored values
    update();
  }

  function init() {
    each(document.querySelectorAll('.js-show-if-note'), function (el) {
      if (el.parentNode) el.parentNode.removeChild(el);
    });
    each(document.querySelectorAll('form'), setUpForm);
  }

  document.documentElement.classList.add('js');
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
