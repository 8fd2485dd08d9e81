// merchant-bot staff console: vanilla JS, no build step. Progressive: every form also works
// without it. It polls the queue and the open ticket (every 2 s), sends replies and notes with
// fetch() (X-CSRF-Token header) so drafts survive errors, inserts canned replies, tells the
// server the agent's time zone, and switches the console's language as soon as one is chosen.
// Alerts, each opt-in per agent (localStorage, keyed by the signed-in agent): a new ticket in the
// agent's teams, or the merchant writing on a ticket the agent holds, as a browser notification,
// a sound, and a count in the tab title ("(2) Queue"), found by the same polling.
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

  // One entry per agent: colleagues sharing a browser each keep their own choices.
  const ALERTS_KEY = "mb_staff_alerts:";
  const ALL_ACTIVE = "/staff/queue.json?status=active"; // every active ticket the agent may see
  const title = document.title.replace(/^\(\d+\) /, ""); // the page's own, translated
  let queueCount = null; // on the queue page: how many rows it shows

  function alertSettings(key) {
    try { return JSON.parse(localStorage.getItem(key) || "{}") || {}; } catch { return {}; }
  }

  // The opt-in alerts: `observe(tickets)` with each poll of the agent's active tickets.
  function setupAlerts() {
    const box = document.getElementById("alerts");
    if (!box) return null;
    box.hidden = false; // without the script there is nothing to alert with
    const error = box.querySelector(".form-error");
    const said = box.dataset;
    const key = ALERTS_KEY + said.me;
    let settings = alertSettings(key);
    let known = null; // ticket id -> when its merchant last wrote, after the first poll
    let unseen = 0;
    let audio = null;
    const changed = []; // called when the agent changes a setting

    const beep = () => {
      try {
        audio = audio || new AudioContext();
        const tone = audio.createOscillator();
        const gain = audio.createGain();
        tone.frequency.value = 880;
        gain.gain.setValueAtTime(0.15, audio.currentTime);
        gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.4);
        tone.connect(gain).connect(audio.destination);
        tone.start();
        tone.stop(audio.currentTime + 0.4);
      } catch { /* no audio in this browser */ }
    };
    const retitle = () => {
      const count = settings.badge ? unseen : queueCount;
      document.title = count ? `(${count}) ${title}` : title;
    };
    const seen = () => { if (unseen) { unseen = 0; retitle(); } };
    window.addEventListener("focus", seen);
    document.addEventListener("pointerdown", seen);
    document.addEventListener("keydown", seen);
    document.addEventListener("visibilitychange", () => { if (!document.hidden) seen(); });

    for (const input of box.querySelectorAll("input[type=checkbox]")) {
      input.checked = Boolean(settings[input.name]);
      input.addEventListener("change", async () => {
        error.textContent = "";
        let on = input.checked;
        if (input.name === "notify" && on) {
          const allowed = "Notification" in window
            && (Notification.permission === "granted"
              || (await Notification.requestPermission().catch(() => "denied")) === "granted");
          if (!allowed) { on = input.checked = false; error.textContent = said.blocked; }
        }
        if (input.name === "sound" && on) beep(); // this click lets the page play sound
        settings = { ...alertSettings(key), [input.name]: on };
        localStorage.setItem(key, JSON.stringify(settings));
        retitle();
        for (const call of changed) call();
      });
    }
    box.querySelector("form").addEventListener("submit", (event) => event.preventDefault());

    const alert = (text, ticket) => {
      if (settings.notify && "Notification" in window && Notification.permission === "granted") {
        try {
          const shown = new Notification(text, { tag: `mb-ticket-${ticket.id}`, body: ticket.team_name });
          shown.onclick = () => { window.focus(); location.assign(ticket.url); };
        } catch { /* some browsers allow notifications from a service worker only */ }
      }
    };
    return {
      wanted: () => Boolean(settings.notify || settings.sound || settings.badge),
      changed,
      retitle,
      // The tickets the page was rendered with: anything after them is news.
      seed(rows) {
        known = new Map([...rows].map((r) => [Number(r.dataset.ticket), Number(r.dataset.merchantAt) || 0]));
      },
      observe(tickets) {
        settings = alertSettings(key); // another tab may have changed them
        const now = new Map(tickets.map((t) => [t.id, t.last_merchant_ts || 0]));
        if (known === null) { known = now; return; }
        let fresh = 0;
        for (const t of tickets) {
          if (!known.has(t.id)) {
            fresh += 1;
            alert(said.newTicket.replace("{ticket}", String(t.id)), t);
          } else if (t.assignee === said.me && (t.last_merchant_ts || 0) > known.get(t.id)) {
            fresh += 1;
            alert(said.merchantWrote.replace("{ticket}", String(t.id)), t);
          }
        }
        known = now;
        if (!fresh) return;
        if (settings.sound) beep();
        if (settings.badge) { unseen += fresh; retitle(); }
      },
    };
  }

  function setupQueue(table, alerts) {
    const body = document.getElementById("queue-rows");
    const count = document.getElementById("queue-count");
    const everything = table.dataset.poll === ALL_ACTIVE;
    let shown = body.innerHTML.trim();
    if (alerts && everything) alerts.seed(body.querySelectorAll("tr[data-ticket]"));
    poll(table.dataset.poll, (data) => {
      const html = data.html.trim();
      if (html !== shown && !body.contains(document.activeElement)) {
        body.innerHTML = data.html;
        shown = html;
      }
      count.textContent = String(data.count);
      queueCount = data.count;
      if (alerts && everything) alerts.observe(data.tickets);
      if (alerts) alerts.retitle();
      else document.title = `(${data.count}) ${title}`;
    });
    return everything;
  }

  // Elsewhere (a ticket, a filtered queue), alerts poll the agent's active tickets themselves.
  // (Only once one is switched on: no extra requests for agents who want none.)
  function watchForAlerts(alerts) {
    let started = false;
    const start = () => {
      if (started || !alerts.wanted()) return;
      started = true;
      poll(ALL_ACTIVE, (data) => { if (alerts.wanted()) alerts.observe(data.tickets); });
    };
    alerts.changed.push(start);
    start();
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
      const data0 = new FormData(form);
      const picked = data0.get("file");
      const withFile = picked instanceof File && picked.size > 0;
      data0.delete("file");
      if (withFile) data0.append("file", picked, picked.name);
      // a file goes as multipart; text alone stays URL-encoded
      const body = withFile ? data0 : new URLSearchParams(data0);
      try {
        const response = await fetch(form.action, {
          method: "POST",
          body,
          headers: { Accept: "application/json", "X-CSRF-Token": data0.get("csrf") || "" },
        });
        if (response.status === 401) { toLogin(); return; }
        const data = await response.json().catch(() => ({}));
        if (response.ok) {
          text.value = "";
          const input = form.querySelector("input[type=file]");
          if (input) input.value = "";
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
  const alerts = setupAlerts();
  const queue = document.querySelector("table.queue[data-poll]");
  const covered = queue ? setupQueue(queue, alerts) : false;
  if (alerts && !covered) watchForAlerts(alerts);
  const ticket = document.querySelector(".ticket-page[data-poll]");
  if (ticket) setupTicket(ticket);
})();
