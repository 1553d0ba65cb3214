// The review queue from the keyboard: j/k next and previous, a approve,
// c ask for changes, r reject, 1-5 the score. c and r need feedback: the
// first press puts the cursor in the feedback box, Ctrl+Enter (or the
// same key again from outside the box) sends it.
(function () {
  "use strict";
  var root = document.getElementById("review");
  var form = document.getElementById("decision");
  if (!root) return;
  var pending = null;
  function send(decision) {
    if (!form) return;
    var b = form.querySelector('button[name="decision"][value="' + decision + '"]');
    if (b) form.requestSubmit(b);
  }
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.metaKey) return;
    var t = e.target;
    var typing = t && (t.tagName === "TEXTAREA" || t.tagName === "INPUT" || t.tagName === "SELECT");
    if (typing) {
      if (e.key === "Enter" && e.ctrlKey && pending) { e.preventDefault(); send(pending); }
      if (e.key === "Escape") { t.blur(); }
      return;
    }
    if (e.ctrlKey) return;
    switch (e.key) {
      case "j": if (root.dataset.next) location.href = root.dataset.next; break;
      case "k": if (root.dataset.prev) location.href = root.dataset.prev; break;
      case "a": e.preventDefault(); send("approved"); break;
      case "c": case "r":
        if (!form) return;
        e.preventDefault();
        var d = e.key === "c" ? "changes_requested" : "rejected";
        var fb = form.querySelector("#feedback");
        if (pending === d && fb.value.trim() !== "") { send(d); return; }
        pending = d;
        // Focus once the key is up, so the key's own letter stays out of
        // the box.
        document.addEventListener("keyup", function () { fb.focus(); }, { once: true });
        break;
      case "1": case "2": case "3": case "4": case "5":
        if (form) form.querySelector("#score").value = e.key;
        break;
    }
  });
})();
