// crisis: the review queue's fast path. The page works without this file (plain forms); with it
// the keyboard works the queue (j/k move, a approve, e edit, r reject, s send, x select, ? help)
// through /api/queue, and the page is updated in place. Data is only ever set as textContent.
"use strict";
(function () {
  // How X weighs a text (twitter-text v3), as crisis/platform_text.py counts it.
  var LINK = /https?:\/\/\S+/gi;
  var HEAVY = /[^\u0000-\u10FF\u2000-\u200D\u2010-\u201F\u2032-\u2037]/gu;
  function weight(text) {
    var links = 0;
    (text.match(LINK) || []).forEach(function (link) {
      links += Math.max(Array.from(link).length, 23);
    });
    var rest = text.replace(LINK, "");
    return Array.from(rest).length + (rest.match(HEAVY) || []).length + links;
  }

  function updateCounter(area) {
    var form = area.closest("form");
    var counter = form && form.querySelector(".counter");
    var limit = parseInt(area.getAttribute("data-limit") || "0", 10);
    if (!counter || !limit) return;
    var used = weight(area.value);
    counter.querySelector(".weight").textContent = String(used);
    counter.classList.toggle("over", used > limit);
  }

  document.querySelectorAll("textarea.reply-text").forEach(updateCounter);  // a kept draft
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea.reply-text")) {
      updateCounter(event.target);
    }
  });

  // The spot check: a cluster's approve button waits until enough items are ticked.
  document.querySelectorAll("form.bulk-form").forEach(function (form) {
    var needed = parseInt(form.getAttribute("data-needed") || "0", 10);
    var button = form.querySelector("button[type=submit]");
    function check() {
      button.disabled = form.querySelectorAll("input[name=spot_checked]:checked").length < needed;
    }
    form.addEventListener("change", check);
    check();
  });

  var list = document.getElementById("queue");
  if (!list) return;
  var help = document.getElementById("shortcuts");
  var helpButton = document.getElementById("shortcuts-button");
  var bar = document.getElementById("bulk-bar");
  var selected = null;
  // Typing ahead: a decided card can leave the list while the user still types into it (a
  // reason). Their next keys must not become shortcuts on the next card ("Spam": a approves).
  // Keys typed within QUIET_MS of the card leaving (and of each other) are dropped, not run.
  var QUIET_MS = 500;
  var quietUntil = 0;

  function msg(name) { return list.getAttribute("data-msg-" + name) || name; }
  function cards() { return Array.prototype.slice.call(list.querySelectorAll("article.qitem")); }

  function select(card) {
    if (selected) selected.classList.remove("selected");
    selected = card || null;
    if (!selected) return;
    selected.classList.add("selected");
    selected.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var all = cards();
    if (!all.length) return;
    var at = selected ? all.indexOf(selected) : -1;
    select(all[Math.max(0, Math.min(all.length - 1, at + step))]);
  }

  function done(card) {
    var all = cards();
    var at = all.indexOf(card);
    if (card.contains(document.activeElement)) quietUntil = Date.now() + QUIET_MS;
    card.remove();
    all = cards();
    select(all[Math.min(at, all.length - 1)]);
    shiftPaging();
    var next = document.querySelector("nav.paging a.next-page");
    if (!all.length && next) {
      window.location.assign(next.href);  // this page is done: on to the items after it
    } else if (!all.length) {
      var empty = document.createElement("p");
      empty.className = "empty muted";
      empty.textContent = msg("empty");
      list.appendChild(empty);
    }
    var count = document.getElementById("queue-count");
    if (count) {
      var n = parseInt(count.textContent, 10);
      if (!isNaN(n) && n > 0) count.textContent = count.textContent.replace(String(n), String(n - 1));
    }
    refreshBar();
  }

  // A decided item leaves the list: the items after this page move up by one, so the
  // "next page" link must start one earlier or it would skip an item nobody saw.
  function shiftPaging() {
    document.querySelectorAll("nav.paging a[data-offset]").forEach(function (link) {
      var offset = Math.max(0, parseInt(link.getAttribute("data-offset"), 10) - 1);
      link.setAttribute("data-offset", String(offset));
      link.href = link.href.replace(/offset=\d+/, "offset=" + offset);
    });
  }

  function field(card, selector) { return card.querySelector("form.reply-form " + selector); }

  // One decision through the API; on success the card leaves the list (or is updated).
  function act(card, action) {
    var form = card.querySelector("form.reply-form");
    if (!form || card.classList.contains("busy")) return Promise.resolve(false);
    var id = card.getAttribute("data-id");
    var area = field(card, "textarea[name=text]");
    var original = field(card, "input[name=original]");
    // what this page showed: the server refuses (409) if a colleague changed it since
    var seen = { seen_state: card.getAttribute("data-state"), seen_text: original.value };
    var body;
    if (action === "approve") {
      body = seen;
      if (area.value !== original.value) body.text = area.value;
      var force = field(card, "input[name=force]");
      if (force && force.checked) body.force = true;
    } else if (action === "edit") {
      body = seen;
      body.text = area.value;
    } else if (action === "reject") {
      body = { seen_state: seen.seen_state, reason: field(card, "input[name=reason]").value };
    }
    if (action === "send" && area.value !== original.value) {
      window.crisis.say("#" + id + " " + msg("unsaved"), "error");  // it would send the old text
      return Promise.resolve(false);
    }
    card.classList.add("busy");
    return window.crisis.api("POST", "/api/queue/" + id + "/" + action, body).then(function (data) {
      card.classList.remove("busy");
      if (action === "send" && !data.sent) {
        window.crisis.say("#" + id + " " + msg("not-sent") + ": " + (data.error || data.state), "error");
        return false;
      }
      var word = { approve: "approved", edit: "edited", reject: "rejected", send: "sent" }[action];
      window.crisis.say("#" + id + " " + msg(word), "message");
      if (data.state === list.getAttribute("data-state")) {
        original.value = data.text;
        area.defaultValue = data.text;
        card.setAttribute("data-state", data.state);
        card.querySelector(".qitem-head").classList.add("was-edited");
      } else {
        done(card);
      }
      return true;
    }).catch(function (error) {
      card.classList.remove("busy");
      window.crisis.say("#" + id + ": " + error.message, "error");  // the typed text stays
      return false;
    });
  }

  function picked() {
    return cards().filter(function (card) {
      var box = card.querySelector("input.pick");
      return box && box.checked;
    });
  }

  function refreshBar() {
    var count = picked().length;
    bar.hidden = count === 0;
    document.getElementById("picked-count").textContent = msg("picked").replace("{count}", count);
  }

  function approvePicked() {
    var chain = Promise.resolve();
    picked().forEach(function (card) {
      if (card.getAttribute("data-urgent") === "1") {
        window.crisis.say("#" + card.getAttribute("data-id") + " " + msg("skipped-urgent"), "error");
        return;
      }
      chain = chain.then(function () { return act(card, "approve"); });
    });
    return chain.then(refreshBar);
  }

  list.addEventListener("submit", function (event) {
    var button = event.submitter;
    var action = button && button.getAttribute("data-action");
    var card = event.target.closest("article.qitem");
    if (!action || !card) return;  // a plain form post
    event.preventDefault();
    select(card);
    act(card, action);
  });
  list.addEventListener("change", function (event) {
    if (event.target.matches("input.pick")) refreshBar();
  });
  list.addEventListener("click", function (event) {
    var card = event.target.closest("article.qitem");
    if (card && card !== selected) select(card);
  });
  document.getElementById("approve-picked").addEventListener("click", approvePicked);
  helpButton.hidden = false;
  helpButton.addEventListener("click", function () { help.hidden = !help.hidden; });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var card = target.closest ? target.closest("article.qitem") : null;
    if (target.matches && target.matches("input, textarea, select")) {
      if (event.key === "Escape") {
        target.blur();
        if (card) select(card);
      } else if (event.key === "Enter" && card && target.matches("textarea") &&
                 (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        act(card, "approve");
      } else if (event.key === "Enter" && card && target.matches("input.reason")) {
        event.preventDefault();
        act(card, "reject");
      }
      return;
    }
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "Enter" && target.matches && target.matches("a, button")) return;
    var key = event.key;
    var typed = key.length === 1 || key === "Enter";
    if (typed && Date.now() < quietUntil) {  // still typing what was meant for the last card
      quietUntil = Date.now() + QUIET_MS;
      event.preventDefault();
      return;
    }
    if (key === "?") { help.hidden = !help.hidden; event.preventDefault(); return; }
    if (key === "Escape") { help.hidden = true; return; }
    if (key === "j" || key === "ArrowDown") { move(1); event.preventDefault(); return; }
    if (key === "k" || key === "ArrowUp") { move(-1); event.preventDefault(); return; }
    if (!selected) return;
    if (typed && selected.classList.contains("busy")) {
      event.preventDefault();  // its decision is on its way: nothing else on it meanwhile
      return;
    }
    if (key === "a") { act(selected, "approve"); }
    else if (key === "s") { act(selected, "send"); }
    else if (key === "e" || key === "r") {
      var input = field(selected, key === "e" ? "textarea[name=text]" : "input[name=reason]");
      if (!input) return;
      input.focus();
      if (key === "e") input.setSelectionRange(input.value.length, input.value.length);  // add
      if (key === "r") window.crisis.say(msg("reason"), "message");
    } else if (key === "x") {
      var box = selected.querySelector("input.pick");
      if (box && !box.disabled) { box.checked = !box.checked; refreshBar(); }
    } else if (key === "o" || key === "Enter") {
      window.location.href = selected.querySelector("a.item-link").href;
    } else {
      return;
    }
    event.preventDefault();
  });

  select(cards()[0]);
})();
