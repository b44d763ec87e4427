// Keyboard shortcuts of the workbench: n next, p previous, a accept,
// r reject (focuses the reason; Enter submits), s correct and search again
// (focuses the first field; Enter submits), j/k move in the work list.
(function () {
  function typing(e) {
    var t = e.target.tagName;
    return t === "INPUT" || t === "TEXTAREA" || t === "SELECT";
  }
  var pending = null;
  document.addEventListener("keyup", function (e) {
    if (!pending || e.key !== pending.key) return;
    var p = pending;
    pending = null;
    p.el.focus();
    if (p.select) { p.el.select(); }
  });
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e)) return;
    var el;
    switch (e.key) {
      case "n": el = document.getElementById("next"); if (el) { location.href = el.href; } break;
      // The previous case of the list (by keyset on the server), not the
      // browser's history.
      case "p": el = document.getElementById("prev"); if (el) { location.href = el.href; } break;
      case "a": el = document.getElementById("accept-form"); if (el) { el.submit(); } break;
      // Focus on the key's keyup, after its character event: focused on
      // keydown (even in a timeout) the "r" or "s" can land in the field.
      case "r": el = document.getElementById("reject-reason"); if (el) { e.preventDefault(); pending = { key: "r", el: el }; } break;
      case "s": el = document.querySelector("#search-form input[type=text]"); if (el) { e.preventDefault(); pending = { key: "s", el: el, select: true }; } break;
      case "o": el = document.querySelector("a.case"); if (el) { location.href = el.href; } break;
      default: return;
    }
  });
})();
