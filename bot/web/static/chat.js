// merchant-bot web chat: vanilla JS, no build step. Talks to POST /api/chat and GET /api/history
// (also polled with ?after=<cursor> for staff replies).
"use strict";

(() => {
  const STRINGS = {
    en: {
      title: "Seller support", language: "Language",
      conversation: "Conversation", typing: "The assistant is typing…", inputLabel: "Your message",
      placeholder: "Type your question…", send: "Send", locate: "Share my location",
      you: "You", bot: "Assistant", reconnecting: "Connection lost. Reconnecting…",
      failed: "Not sent.", rejected: "This message couldn't be sent.", retry: "Retry",
      noLocation: "Couldn't get your location.", map: "Open map", staff: "Support team",
      attach: "Attach an image or PDF",
    },
    ko: {
      title: "판매자 지원", language: "언어",
      conversation: "대화", typing: "답변을 작성하고 있어요…", inputLabel: "메시지",
      placeholder: "질문을 입력하세요…", send: "보내기", locate: "내 위치 공유",
      you: "나", bot: "도우미", reconnecting: "연결이 끊겼습니다. 다시 연결하는 중…",
      failed: "전송되지 않았습니다.", rejected: "이 메시지는 보낼 수 없습니다.", retry: "다시 시도",
      noLocation: "위치를 가져올 수 없습니다.", map: "지도 열기", staff: "지원팀",
      attach: "이미지 또는 PDF 첨부",
    },
    zh_Hans: {
      title: "卖家支持", language: "语言",
      conversation: "对话", typing: "助手正在输入…", inputLabel: "您的消息",
      placeholder: "输入您的问题…", send: "发送", locate: "发送我的位置",
      you: "我", bot: "助手", reconnecting: "连接中断，正在重新连接…",
      failed: "未发送。", rejected: "此消息无法发送。", retry: "重试",
      noLocation: "无法获取您的位置。", map: "打开地图", staff: "支持团队",
      attach: "添加图片或 PDF",
    },
    zh_Hant: {
      title: "賣家支援", language: "語言",
      conversation: "對話", typing: "助手正在輸入…", inputLabel: "您的訊息",
      placeholder: "輸入您的問題…", send: "傳送", locate: "傳送我的位置",
      you: "我", bot: "助手", reconnecting: "連線中斷，正在重新連線…",
      failed: "未傳送。", rejected: "此訊息無法傳送。", retry: "重試",
      noLocation: "無法取得您的位置。", map: "打開地圖", staff: "支援團隊",
      attach: "附加圖片或 PDF",
    },
  };
  const HTML_LANG = { en: "en", ko: "ko", zh_Hans: "zh-Hans", zh_Hant: "zh-Hant" };
  const RETRY_DELAYS = [500, 1000, 2000, 4000, 8000]; // ms; then the message offers "Retry"
  const RETRYABLE = new Set([408, 425, 429]);
  const POLL_MS = 3000; // how often the page asks for staff replies while it is visible

  const $ = (id) => document.getElementById(id);
  const log = $("log");
  const scroller = $("scroller");
  const typing = $("typing");
  const banner = $("banner");
  const form = $("composer");
  const input = $("input");
  const sendButton = $("send");
  const langSelect = $("lang");
  const locate = $("locate");
  const attach = $("attach");
  const picker = $("file");

  const TIME_ZONE = (() => {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC"; } catch { return "UTC"; }
  })();
  let locale = localeFromTag(navigator.language);
  const queue = [];
  let wrote = false; // the merchant sent something on this page
  let busy = false;
  let cursor = 0; // the newest stored message this page has accounted for

  function localeFromTag(tag) {
    const t = (tag || "").toLowerCase().replace("_", "-");
    if (t.startsWith("zh-hant") || /^zh-(tw|hk|mo)\b/.test(t)) return "zh_Hant";
    if (t.startsWith("zh")) return "zh_Hans";
    if (t.startsWith("ko")) return "ko";
    return "en";
  }

  function t(key) {
    return (STRINGS[locale] || STRINGS.en)[key] || STRINGS.en[key];
  }

  function applyLocale(next) {
    if (!STRINGS[next]) return;
    locale = next;
    document.documentElement.lang = HTML_LANG[next];
    document.title = t("title");
    langSelect.value = next;
    for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
    for (const el of document.querySelectorAll("[data-i18n-placeholder]")) {
      el.placeholder = t(el.dataset.i18nPlaceholder);
    }
    for (const el of document.querySelectorAll("[data-i18n-aria]")) {
      el.setAttribute("aria-label", t(el.dataset.i18nAria));
    }
    for (const el of document.querySelectorAll("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
    for (const el of log.querySelectorAll("[data-speaker]")) el.textContent = `${t(el.dataset.speaker)}: `;
  }

  function newId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function appendText(parent, text) {
    // Plain text with web links made clickable; never parsed as HTML.
    const re = /https?:\/\/[^\s<>"']*[^\s<>"'.,;:!?)\]}。，、！？）]/g;
    let last = 0;
    for (const match of text.matchAll(re)) {
      parent.append(text.slice(last, match.index));
      const a = el("a", "", match[0]);
      a.href = match[0];
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      parent.append(a);
      last = match.index + match[0].length;
    }
    parent.append(text.slice(last));
  }

  const calm = matchMedia("(prefers-reduced-motion: reduce)");

  function scrollDown(behavior = calm.matches ? "instant" : "smooth") {
    requestAnimationFrame(() => scroller.scrollTo({ top: scroller.scrollHeight, behavior }));
  }

  function addMessage(m) {
    const mine = m.direction === "in";
    const staff = m.from === "staff";
    const li = el("li", `msg ${mine ? "in" : "out"}${staff ? " staff" : ""}`);
    const bubble = el("div", "bubble");
    const who = mine ? "you" : staff ? "staff" : "bot";
    const speaker = el("span", staff ? "speaker" : "visually-hidden", `${t(who)}: `);
    speaker.dataset.speaker = who;
    bubble.append(speaker);
    appendText(bubble, m.text || "");
    if (m.file) bubble.append(fileView(m.file));
    if (m.time) bubble.append(el("span", "time", m.time)); // formatted by the server (Babel)
    li.append(bubble);
    if (m.venue) li.append(venueCard(m.venue));
    if (!mine && m.buttons && m.buttons.length) {
      const group = el("div", "choices");
      group.setAttribute("role", "group");
      for (const b of m.buttons) {
        const button = el("button", "choice", b.label);
        button.type = "button";
        button.addEventListener("click", () => send({ type: "button", payload: b.payload }, b.label));
        group.append(button);
      }
      li.append(group);
    }
    log.append(li);
    scrollDown();
    return li;
  }

  function fileView(f) {
    // An image as a thumbnail (opens full size), a PDF as a link; both need this chat's cookie.
    const a = el("a", f.image ? "file image" : "file pdf");
    a.href = f.url;
    a.target = "_blank";
    a.rel = "noopener";
    if (f.image) {
      const img = el("img", "thumb");
      img.src = f.url;
      img.alt = f.name;
      img.loading = "lazy";
      a.append(img);
    } else {
      a.textContent = `📄 ${f.name}`;
      a.download = f.name;
    }
    return a;
  }

  function sendFile(file) {
    const item = { file, body: { id: newId() } };
    item.li = addMessage({ direction: "in", text: `📎 ${file.name || ""}` });
    item.li.classList.add("pending");
    queue.push(item);
    pump();
  }

  function venueCard(v) {
    const card = el("div", "venue");
    card.append(el("strong", "", v.title), el("span", "", v.address));
    const a = el("a", "", t("map"));
    a.href = `https://www.openstreetmap.org/?mlat=${v.lat}&mlon=${v.lon}#map=16/${v.lat}/${v.lon}`;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    card.append(a);
    return card;
  }

  function setBanner(text) {
    banner.hidden = !text;
    banner.textContent = text || "";
  }

  function showTyping(on) {
    typing.hidden = !on;
    log.setAttribute("aria-busy", on ? "true" : "false");
    if (on) scrollDown();
  }

  function send(body, label) {
    if (body.type !== "start") wrote = true;
    const item = { body: { ...body, id: newId(), lang: navigator.language || undefined } };
    if (label) {
      item.li = addMessage({ direction: "in", text: label });
      item.li.classList.add("pending");
    }
    queue.push(item);
    pump();
  }

  async function pump() {
    if (busy) return;
    busy = true;
    showTyping(true);
    while (queue.length) await deliver(queue.shift());
    busy = false;
    showTyping(false);
  }

  async function post(body, file) {
    try {
      if (file) {
        // the raw bytes; the server sniffs the type from them (the name is only shown)
        const q = new URLSearchParams({ id: body.id, name: file.name || "", tz: TIME_ZONE });
        if (navigator.language) q.set("lang", navigator.language);
        const response = await fetch(`/api/files?${q}`, {
          method: "POST",
          headers: { "Content-Type": "application/octet-stream" },
          body: file,
          credentials: "same-origin",
        });
        const data = await response.json().catch(() => null);
        return { status: response.status, data };
      }
      const response = await fetch("/api/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ ...body, tz: TIME_ZONE }),
        credentials: "same-origin",
      });
      const data = await response.json().catch(() => null);
      return { status: response.status, data };
    } catch {
      return { status: 0, data: null }; // the server is unreachable (restarting, offline)
    }
  }

  async function deliver(item) {
    // The same id on every attempt: the server answers a repeated delivery once.
    for (let attempt = 0; ; attempt++) {
      const { status, data } = await post(item.body, item.file);
      if (status >= 200 && status < 300 && data) {
        setBanner(null);
        if (item.li) item.li.classList.remove("pending");
        if (item.li && data.file) {
          const bubble = item.li.querySelector(".bubble");
          for (const node of [...bubble.childNodes]) if (!node.dataset || !node.dataset.speaker) node.remove();
          bubble.append(fileView(data.file));
        }
        if (data.locale) applyLocale(data.locale);
        for (const m of data.messages || []) addMessage(m);
        return;
      }
      if (status >= 400 && status < 500 && !RETRYABLE.has(status)) {
        setBanner(null);
        // The server says why, in the merchant's language; the generic note only without it.
        fail(item, (data && data.message) || t("rejected"), false);
        return;
      }
      if (attempt >= RETRY_DELAYS.length) {
        setBanner(null);
        fail(item, t("failed"), true);
        return;
      }
      setBanner(t("reconnecting"));
      await sleep(RETRY_DELAYS[attempt]);
    }
  }

  function fail(item, note, retryable, detail) {
    const li = item.li || log.appendChild(el("li", "msg out notice"));
    li.classList.remove("pending");
    li.classList.add("failed");
    const line = el("div", "status-line");
    const span = el("span", "note", note);
    if (detail) span.title = detail;
    line.append(span);
    if (retryable) {
      const again = el("button", "retry", t("retry"));
      again.type = "button";
      again.addEventListener("click", () => {
        line.remove();
        li.classList.remove("failed");
        if (item.li) li.classList.add("pending");
        else li.remove();
        queue.push(item);
        pump();
      });
      line.append(again);
    }
    li.append(line);
    scrollDown();
  }

  async function loadHistory() {
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await fetch(`/api/history?tz=${encodeURIComponent(TIME_ZONE)}`, {
          credentials: "same-origin", cache: "no-store",
        });
        if (response.ok) {
          setBanner(null);
          return await response.json();
        }
      } catch {
        // unreachable: retry below
      }
      setBanner(t("reconnecting"));
      await sleep(RETRY_DELAYS[Math.min(attempt, RETRY_DELAYS.length - 1)]);
    }
  }

  function autosize() {
    input.style.height = "auto";
    input.style.height = `${Math.min(input.scrollHeight + 3, 140)}px`;
    sendButton.disabled = !input.value.trim();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    autosize();
    send({ type: "text", text }, text);
    input.focus();
  });

  input.addEventListener("keydown", (event) => {
    // Enter sends, Shift+Enter starts a new line; never while an IME is composing (CJK input).
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  input.addEventListener("input", autosize);

  langSelect.addEventListener("change", () => {
    const chosen = langSelect.value;
    const label = langSelect.options[langSelect.selectedIndex].textContent;
    applyLocale(chosen);
    send({ type: "button", payload: `lang:${chosen}` }, label);
  });

  if (navigator.geolocation && window.isSecureContext) {
    locate.hidden = false;
    locate.addEventListener("click", () => {
      navigator.geolocation.getCurrentPosition(
        (pos) => {
          const { latitude: lat, longitude: lon } = pos.coords;
          send({ type: "location", lat, lon }, `📍 ${lat.toFixed(6)},${lon.toFixed(6)}`);
        },
        () => {
          setBanner(t("noLocation"));
          setTimeout(() => setBanner(null), 4000);
        },
        { timeout: 15000, maximumAge: 60000 },
      );
    });
  }

  attach.addEventListener("click", () => picker.click());
  picker.addEventListener("change", () => {
    for (const file of picker.files) sendFile(file);
    picker.value = "";
  });
  input.addEventListener("paste", (event) => {
    // a pasted screenshot is sent as a file; pasted text stays in the box
    const files = [...((event.clipboardData && event.clipboardData.files) || [])];
    if (!files.length) return;
    event.preventDefault();
    for (const file of files) sendFile(file);
  });

  async function poll() {
    // Staff replies and rating requests arrive without the page asking: fetch what is new.
    if (document.hidden) return;
    try {
      const url = `/api/history?after=${cursor}&tz=${encodeURIComponent(TIME_ZONE)}`;
      const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
      if (!response.ok) return;
      const data = await response.json();
      for (const m of data.messages || []) addMessage(m);
      if (typeof data.cursor === "number") cursor = Math.max(cursor, data.cursor);
    } catch {
      // offline or restarting: the next poll catches up
    }
  }

  async function start() {
    applyLocale(locale);
    autosize();
    log.setAttribute("aria-busy", "true");
    const history = await loadHistory();
    if (history.locale) applyLocale(history.locale);
    for (const m of history.messages || []) addMessage(m);
    cursor = history.cursor || 0;
    setInterval(poll, POLL_MS);
    document.addEventListener("visibilitychange", poll);
    scrollDown("instant");
    log.setAttribute("aria-busy", "false");
    // No greeting once the merchant has written (while the history loaded): it would land
    // after the answer to what they wrote.
    if (!wrote && (!history.messages || !history.messages.length)) send({ type: "start" });
  }

  start();
})();
