// crisis: the little JavaScript every page shares. Pages work without it (plain forms); it adds
// confirmations and a helper for the JSON API that the area scripts use.
"use strict";
(function () {
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // POST JSON to the API with the session's CSRF token; resolves to the parsed answer,
  // rejects with the server's error message.
  function api(method, path, body) {
    return fetch(path, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          throw new Error(data.message || data.error || response.status + " " + response.statusText);
        }
        return data;
      });
    });
  }

  // A visible, accessible message at the top of the page (text only: never HTML).
  // Messages float in a fixed corner: coming and going, they never move the page under the
  // pointer (a button that jumps away while someone clicks approves the wrong item).
  function say(text, kind) {
    var stack = document.querySelector(".say-stack");
    if (!stack) {
      stack = document.createElement("div");
      stack.className = "say-stack";
      document.body.appendChild(stack);
    }
    var box = document.createElement("div");
    box.className = "flash flash-" + (kind || "message");
    box.setAttribute("role", kind === "error" ? "alert" : "status");
    box.textContent = text;
    stack.appendChild(box);
    while (stack.children.length > 4) stack.removeChild(stack.firstChild);
    setTimeout(function () { box.remove(); }, kind === "error" ? 12000 : 5000);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });

  window.crisis = { api: api, say: say, csrfToken: csrfToken };
})();
