// merchant-bot staff console: vanilla JS, no build step. Progressive: every form also works
// without it. It polls the queue and the open ticket (every 2 s), sends replies and notes with
// fetch() (X-CSRF-Token header) so drafts survive errors, inserts canned replies, tells the
// server the agent's time zone, and switches the console's language as soon as one is chosen.
"use strict";

(() => {
  const POLL_MS = 2000;
  const MAX_BACKOFF_MS = 30000;

  function rememberTimeZone() {
    let zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch { return; }
    if (!/^[A-Za-z0-9_+\-/]{1,64}$/.test(zone)) return;
    const cookie = `mb_staff_tz=${zone}`;
    if (!document.cookie.split("; ").includes(cookie)) {
      document.cookie = `${cookie}; path=/staff; max-age=31536000; samesite=strict`;
    }
  }

  function toLogin() {
    const here = location.pathname + location.search;
    location.assign(`/staff/login?next=${encodeURIComponent(here)}`);
  }

  // Calls `tick` every POLL_MS while the page is visible; backs off while the server is unreachable.
  function poll(url, apply) {
    let delay = POLL_MS;
    let timer = 0;
    const tick = async () => {
      clearTimeout(timer);
      if (!document.hidden) {
        try {
          const response = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" });
          if (response.status === 401) { toLogin(); return; }
          if (response.ok) { apply(await response.json()); delay = POLL_MS; }
          else delay = Math.min(delay * 2, MAX_BACKOFF_MS);
        } catch {
          delay = Math.min(delay * 2, MAX_BACKOFF_MS);
        }
      }
      timer = setTimeout(tick, delay);
    };
    document.addEventListener("visibilitychange", () => { if (!document.hidden) tick(); });
    timer = setTimeout(tick, POLL_MS);
    return tick; // call to poll at once (after sending something)
  }

  function setupLanguage() {
    for (const form of document.querySelectorAll("form.language")) {
      const select = form.querySelector("select");
      const apply = form.querySelector("button[type=submit]");
      if (!select || !apply) continue;
      apply.hidden = true; // without the script the button submits the choice
      select.addEventListener("change", () => form.submit());
    }
  }

  function setupQueue(table) {
    const body = document.getElementById("queue-rows");
    const count = document.getElementById("queue-count");
    const title = document.title.replace(/^\(\d+\) /, ""); // the page's own, translated
    let shown = body.innerHTML.trim();
    poll(table.dataset.poll, (data) => {
      const html = data.html.trim();
      if (html !== shown && !body.contains(document.activeElement)) {
        body.innerHTML = data.html;
        shown = html;
      }
      count.textContent = String(data.count);
      document.title = `(${data.count}) ${title}`;
    });
  }

  function setupTicket(page) {
    const thread = document.getElementById("thread");
    const summary = document.getElementById("summary");
    let shownThread = thread.innerHTML.trim();
    let shownSummary = summary.innerHTML.trim();
    const atBottom = () => thread.scrollHeight - thread.scrollTop - thread.clientHeight < 40;
    thread.scrollTop = thread.scrollHeight;

    const refresh = poll(page.dataset.poll, (data) => {
      const html = data.html.thread.trim();
      if (html !== shownThread && !thread.contains(document.activeElement)) {
        const follow = atBottom();
        thread.innerHTML = data.html.thread;
        shownThread = html;
        if (follow) thread.scrollTop = thread.scrollHeight;
      }
      const side = data.html.summary.trim();
      // Never swap the actions under an agent who is choosing a team or colleague.
      if (side !== shownSummary && !summary.contains(document.activeElement)) {
        summary.innerHTML = data.html.summary;
        shownSummary = side;
      }
      // Resolved elsewhere, or reopened by the merchant: the composer changes shape, so take
      // the server's page, unless that would throw away something the agent is writing.
      const active = data.ticket.status !== "resolved";
      const drafts = [...document.querySelectorAll("#composer textarea")].some((t) => t.value.trim());
      if (active !== Boolean(document.querySelector("form.reply")) && !drafts) location.reload();
    });

    for (const form of document.querySelectorAll("form[data-fetch]")) setupFetchForm(form, refresh);
    setupMacros();
  }

  function setupFetchForm(form, refresh) {
    const composer = document.getElementById("composer");
    const said = (composer && composer.dataset) || {};
    const error = form.querySelector(".form-error");
    const button = form.querySelector("button[type=submit]");
    const text = form.querySelector("textarea");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (button.disabled) return;
      error.textContent = "";
      button.disabled = true;
      const body = new URLSearchParams(new FormData(form));
      try {
        const response = await fetch(form.action, {
          method: "POST",
          body,
          headers: { Accept: "application/json", "X-CSRF-Token": body.get("csrf") || "" },
        });
        if (response.status === 401) { toLogin(); return; }
        const data = await response.json().catch(() => ({}));
        if (response.ok) {
          text.value = "";
          refresh();
        } else {
          const fallback = said.notSent || "Not sent (HTTP {status}).";
          error.textContent = data.message || fallback.replace("{status}", String(response.status));
        }
      } catch {
        error.textContent = said.unreachable || "Not sent: the server cannot be reached. Your text is kept.";
      } finally {
        button.disabled = false;
      }
    });
    text.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
  }

  function setupMacros() {
    const select = document.getElementById("macro");
    const text = document.getElementById("reply-text");
    if (!select || !text) return;
    select.addEventListener("change", () => {
      const option = select.selectedOptions[0];
      if (!option || !option.value) return;
      const insert = option.dataset.text || "";
      const start = text.selectionStart ?? text.value.length;
      const end = text.selectionEnd ?? text.value.length;
      const before = text.value.slice(0, start);
      const gap = before && !/\s$/.test(before) ? "\n\n" : "";
      text.value = before + gap + insert + text.value.slice(end);
      const caret = (before + gap + insert).length;
      select.value = "";
      text.focus();
      text.setSelectionRange(caret, caret);
    });
  }

  rememberTimeZone();
  setupLanguage();
  const queue = document.querySelector("table.queue[data-poll]");
  if (queue) setupQueue(queue);
  const ticket = document.querySelector(".ticket-page[data-poll]");
  if (ticket) setupTicket(ticket);
})();
