// crisis: the posts page's fast path. The forms work without this script; with it they go to the
// JSON API, so a refused resume or freeze shows the server's message and keeps what was typed.
"use strict";
(function () {
  var NOTE = "crisis.posts.note";

  function text(form, name) {
    var field = form.elements.namedItem(name);
    return field && typeof field.value === "string" ? field.value.trim() : "";
  }

  function resumeBody(form, submitter) {
    var all = submitter && submitter.value === "all";
    var keys = Array.prototype.map.call(
      form.querySelectorAll('input[name="key"]:checked'), function (box) { return box.value; });
    if (!all && keys.length === 0) throw new Error(form.getAttribute("data-none-ticked"));
    var mode = text(form, "mode");
    var at = null;
    if (mode === "time") {
      at = text(form, "at") || text(form, "after");
      if (!at) throw new Error(form.getAttribute("data-need-time"));
    }
    return { keys: all ? null : keys, all_held: all, at: at, to_draft: mode === "draft",
             reason: text(form, "reason") };
  }

  function scheduleBody(form) {
    var at = text(form, "at") || text(form, "after");
    if (!at) throw new Error(form.getAttribute("data-need-time"));
    return { key: text(form, "key"), channel: text(form, "channel"),
             category: text(form, "category"), text: text(form, "text"), at: at,
             replace: text(form, "editing") === "1" };
  }

  function setBusy(form, busy) {
    Array.prototype.forEach.call(form.querySelectorAll("button"), function (b) { b.disabled = busy; });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var path = form.getAttribute && form.getAttribute("data-api");
    if (!path || event.defaultPrevented) return; // app.js asked data-confirm and was told no
    event.preventDefault();
    var body;
    try {
      if (path === "/api/posts/resume") body = resumeBody(form, event.submitter);
      else if (path === "/api/posts") body = scheduleBody(form);
      else body = { reason: text(form, "reason") };
    } catch (problem) {
      window.crisis.say(problem.message, "error");
      return;
    }
    setBusy(form, true);
    window.crisis.api("POST", path, body).then(function (answer) {
      var count = answer && answer.resumed ? answer.resumed.length : 0;
      var done = (form.getAttribute("data-done") || "").replace("{count}", String(count));
      try { window.sessionStorage.setItem(NOTE, done); } catch (ignored) { /* private mode */ }
      // after an edit, back to the plain page (its URL still names the post being edited)
      if (path === "/api/posts") window.location.assign("/posts");
      else window.location.reload();
    }, function (problem) {
      setBusy(form, false);
      window.crisis.say(problem.message, "error");
    });
  });

  // One new time at a time: typing a relative time clears the date field, and the other way.
  Array.prototype.forEach.call(document.querySelectorAll("form[data-api]"), function (form) {
    var at = form.querySelector('input[name="at"]');
    var after = form.querySelector('input[name="after"]');
    var onTime = form.querySelector('input[name="mode"][value="time"]');
    if (!at || !after) return;
    at.addEventListener("input", function () {
      if (at.value) { after.value = ""; if (onTime) onTime.checked = true; }
    });
    after.addEventListener("input", function () {
      if (after.value) { at.value = ""; if (onTime) onTime.checked = true; }
    });
  });

  var note = null;
  try { note = window.sessionStorage.getItem(NOTE); window.sessionStorage.removeItem(NOTE); }
  catch (ignored) { /* private mode */ }
  if (note) window.crisis.say(note, "message");
})();
