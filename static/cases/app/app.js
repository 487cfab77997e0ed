/* The collectors' app (采集终端): report with photos and position, keep unsent reports on the phone, verify/check tasks.
 *
 * Everything goes through the REST API with the collector's API token (Authorization: Token <key>), kept in
 * localStorage with its expiry. Reports are first written to IndexedDB ("fieldapp" → "reports", keyed by their
 * client_uuid), then sent: reports without photos together through the batch endpoint, reports with photos one by
 * one as multipart; the platform answers a repeated client_uuid with the case it already made, so a report sent
 * twice (a lost answer, two tabs) is still one case. Sending starts when the network returns, on start, every 30 s
 * and on "Send now". The endpoints and the words come from the page (#app-config, #app-text), never from here.
 */
(function () {
  "use strict";

  const CFG = JSON.parse(document.getElementById("app-config").textContent);
  const T = JSON.parse(document.getElementById("app-text").textContent);
  const TOKEN_KEY = "fieldapp.token";
  const TAXONOMY_KEY = "fieldapp.taxonomy";
  const RECENT_KEY = "fieldapp.recent";
  const MAX_SIDE = 1600; // px: photos are scaled down on the phone before they are stored or sent
  const JPEG_QUALITY = 0.8;
  const BATCH_SIZE = 100;
  const NEARBY_DEGREES = 0.0006; // about 60 m around the phone for "component nearby"

  const $ = (id) => document.getElementById(id);
  const fmt = (text, values) => text.replace(/%\((\w+)\)s/g, (_, key) => String(values[key]));

  // ---- token -----------------------------------------------------------------------------------------------
  function session() {
    try {
      const saved = JSON.parse(localStorage.getItem(TOKEN_KEY) || "null");
      if (saved && saved.token && new Date(saved.expires) > new Date()) return saved;
    } catch (e) {
      /* a damaged entry is a logged-out app */
    }
    return null;
  }

  async function api(url, options) {
    const current = session();
    const init = Object.assign({ headers: {} }, options || {});
    init.headers = Object.assign({ Accept: "application/json" }, init.headers);
    if (current) init.headers.Authorization = "Token " + current.token;
    if (init.json !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(init.json);
      delete init.json;
    }
    const response = await fetch(url, init);
    if (response.status === 401 && current) {
      localStorage.removeItem(TOKEN_KEY);
      showLogin(T.expired);
    }
    return response;
  }

  // ---- the reports kept on the phone (IndexedDB) -------------------------------------------------------------
  const dbReady = new Promise((resolve, reject) => {
    const request = indexedDB.open("fieldapp", 2);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains("reports")) db.createObjectStore("reports", { keyPath: "client_uuid" });
      if (!db.objectStoreNames.contains("track")) db.createObjectStore("track", { keyPath: "at" });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

  async function withStore(mode, work, name = "reports") {
    const db = await dbReady;
    return new Promise((resolve, reject) => {
      const tx = db.transaction(name, mode);
      const request = work(tx.objectStore(name));
      tx.oncomplete = () => resolve(request ? request.result : undefined);
      tx.onerror = () => reject(tx.error);
    });
  }
  const allReports = () => withStore("readonly", (s) => s.getAll());
  const putReport = (report) => withStore("readwrite", (s) => s.put(report));

  const trackPoints = () => withStore("readonly", (s) => s.getAll(), "track");
  const keepPoint = (point) => withStore("readwrite", (s) => s.put(point), "track");
  const forgetPoints = (keys) => withStore("readwrite", (s) => keys.forEach((key) => s.delete(key)), "track");

  function uuid4() {
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  // ---- photos: scaled down and re-encoded on the phone ---------------------------------------------------------
  async function compress(file) {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", JPEG_QUALITY));
  }

  async function readPhotos(input) {
    const blobs = [];
    for (const file of Array.from(input.files || [])) {
      try {
        blobs.push(await compress(file));
      } catch (e) {
        blobs.push(file); // not decodable here: the platform's own checks answer for it
      }
    }
    return blobs;
  }

  // ---- small DOM helpers -----------------------------------------------------------------------------------------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([key, value]) => {
      if (key === "class") node.className = value;
      else if (key.startsWith("data-")) node.setAttribute(key, value);
      else node[key] = value;
    });
    children.flat().forEach((child) => node.append(child instanceof Node ? child : document.createTextNode(child)));
    return node;
  }

  let toastTimer = null;
  function toast(text) {
    const box = $("toast");
    box.textContent = text;
    box.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => (box.hidden = true), 4000);
  }

  function errorText(body) {
    if (!body || typeof body !== "object") return "";
    if (Array.isArray(body)) return body.map(errorText).join("; ");
    return Object.entries(body)
      .map(([field, value]) => {
        const text = Array.isArray(value) ? value.map((v) => (typeof v === "object" ? errorText(v) : v)).join(" ") : typeof value === "object" ? errorText(value) : value;
        return field === "non_field_errors" || field === "detail" ? text : `${field}: ${text}`;
      })
      .join("; ");
  }

  const when = (iso) => (iso ? new Date(iso).toLocaleString("zh-CN", { hour12: false }) : "");

  // ---- login -------------------------------------------------------------------------------------------------------
  function showLogin(message) {
    $("duty").hidden = true;
    $("main").hidden = true;
    $("logout").hidden = true;
    $("login").hidden = false;
    $("login-error").textContent = message || "";
  }

  function showMain() {
    showDuty();
    $("login").hidden = true;
    $("main").hidden = false;
    $("logout").hidden = false;
    loadTaxonomy();
    refreshOutbox();
    loadTasks();
    sync();
  }

  $("login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!navigator.onLine) return ($("login-error").textContent = T.needNetwork);
    const form = new FormData(event.target);
    const device = "fieldapp " + (navigator.userAgentData?.platform || navigator.platform || "phone");
    try {
      const response = await api(CFG.token, {
        method: "POST",
        json: { username: form.get("username"), password: form.get("password"), device: device.slice(0, 100) },
      });
      if (response.status === 429) return ($("login-error").textContent = T.lockedOut);
      if (!response.ok) return ($("login-error").textContent = T.loginFailed);
      const body = await response.json();
      localStorage.setItem(TOKEN_KEY, JSON.stringify({ token: body.token, expires: body.expires, username: form.get("username") }));
      event.target.reset();
      showMain();
    } catch (e) {
      $("login-error").textContent = T.needNetwork;
    }
  });

  $("logout").addEventListener("click", async () => {
    try {
      await api(CFG.logout, { method: "POST" });
    } catch (e) {
      /* offline: the token is forgotten here and expires on the platform */
    }
    localStorage.removeItem(TOKEN_KEY);
    localStorage.setItem(DUTY_KEY, "0");
    showLogin("");
  });

  // ---- tabs --------------------------------------------------------------------------------------------------------
  document.querySelectorAll("[data-tab]").forEach((button) =>
    button.addEventListener("click", () => {
      document.querySelectorAll("[data-tab]").forEach((b) => b.setAttribute("aria-selected", String(b === button)));
      document.querySelectorAll("#main > .view").forEach((view) => (view.hidden = view.id !== "tab-" + button.dataset.tab));
      if (button.dataset.tab === "tasks") loadTasks();
      if (button.dataset.tab === "mine") loadMine();
      if (button.dataset.tab === "outbox") refreshOutbox();
    })
  );

  function showNetwork() {
    $("net").textContent = navigator.onLine ? T.online : T.offline;
    $("net").className = navigator.onLine ? "net on" : "net off";
  }
  window.addEventListener("online", () => {
    showNetwork();
    sync();
  });
  window.addEventListener("offline", showNetwork);

  // ---- position ------------------------------------------------------------------------------------------------
  let position = null;
  function watchPosition() {
    if (!navigator.geolocation) return ($("position").textContent = T.positionDenied);
    navigator.geolocation.watchPosition(
      (p) => {
        position = { lat: p.coords.latitude, lng: p.coords.longitude, accuracy: Math.round(p.coords.accuracy) };
        $("position").textContent = fmt(T.position, { lat: position.lat.toFixed(6), lng: position.lng.toFixed(6), accuracy: position.accuracy });
        loadComponents();
      },
      (error) => ($("position").textContent = error.code === 1 ? T.positionDenied : T.noPosition),
      { enableHighAccuracy: true, maximumAge: 10000, timeout: 30000 }
    );
  }

  // ---- class picker: search, recent classes, filing conditions --------------------------------------------------------
  let minors = [];
  let chosen = null;

  async function loadTaxonomy() {
    try {
      if (navigator.onLine) {
        const response = await api(CFG.taxonomy);
        if (response.ok) localStorage.setItem(TAXONOMY_KEY, await response.text());
      }
    } catch (e) {
      /* the network went: the copy from the last start is used */
    }
    try {
      const tree = JSON.parse(localStorage.getItem(TAXONOMY_KEY) || "{}");
      minors = (tree.majors || []).flatMap((major) =>
        (major.minor_classes || []).map((minor) => Object.assign({ major: major.name }, minor))
      );
    } catch (e) {
      minors = [];
    }
    document.body.dataset.classes = String(minors.length);
    showRecent();
  }

  function recentCodes() {
    try {
      return JSON.parse(localStorage.getItem(RECENT_KEY) || "[]");
    } catch (e) {
      return [];
    }
  }

  function showRecent() {
    const box = $("recent-classes");
    box.replaceChildren();
    const recent = recentCodes()
      .map((code) => minors.find((m) => m.code === code))
      .filter(Boolean);
    if (recent.length) box.append(el("span", { class: "muted" }, T.recent + "："));
    recent.forEach((minor) => box.append(el("button", { type: "button", class: "chip", onclick: () => choose(minor) }, minor.name)));
  }

  $("class-search").addEventListener("input", (event) => {
    const query = event.target.value.trim().toLowerCase();
    const list = $("class-results");
    list.replaceChildren();
    if (!query) return;
    minors
      .filter((m) => m.name.toLowerCase().includes(query) || m.code.startsWith(query) || (m.major || "").includes(query))
      .slice(0, 30)
      .forEach((minor) =>
        list.append(el("li", {}, el("button", { type: "button", onclick: () => choose(minor) }, `${minor.name}（${minor.major} ${minor.code}）`)))
      );
  });

  function choose(minor) {
    chosen = minor;
    $("class-results").replaceChildren();
    $("class-search").value = "";
    $("class-chosen").textContent = fmt(T.chosen, { name: `${minor.name}（${minor.code}）` });
    const conditions = minor.conditions || [];
    $("condition-row").hidden = conditions.length === 0;
    $("condition").replaceChildren(...conditions.map((c) => el("option", { value: c.id }, `${c.description}（${c.limit_label}）`)));
    loadComponents();
  }

  async function loadComponents() {
    const row = $("component-row");
    if (!chosen || chosen.kind !== "component" || !position || !navigator.onLine || !session()) {
      row.hidden = true;
      return;
    }
    const d = NEARBY_DEGREES;
    const bbox = [position.lng - d, position.lat - d, position.lng + d, position.lat + d].map((v) => v.toFixed(6)).join(",");
    try {
      const response = await api(`${CFG.components}?bbox=${bbox}`);
      if (!response.ok) return;
      const body = await response.json();
      const features = (body.features || body.results?.features || []).filter((f) => f.properties.class_code === chosen.code);
      const metres = (f) => {
        const [lng, lat] = f.geometry.coordinates;
        const dx = (lng - position.lng) * 111320 * Math.cos((position.lat * Math.PI) / 180);
        return Math.round(Math.hypot(dx, (lat - position.lat) * 110540));
      };
      features.sort((a, b) => metres(a) - metres(b));
      $("component").replaceChildren(
        el("option", { value: "" }, T.noComponent),
        ...features.slice(0, 20).map((f) => el("option", { value: f.properties.identifier }, `${f.properties.identifier} · ${fmt(T.metres, { distance: metres(f) })}`))
      );
      row.hidden = false;
    } catch (e) {
      row.hidden = true;
    }
  }

  // ---- a new report: written to the phone first, then sent ---------------------------------------------------------
  let photos = [];
  $("photo-input").addEventListener("change", async (event) => {
    photos = photos.concat(await readPhotos(event.target));
    event.target.value = "";
    $("photo-strip").replaceChildren(...photos.map((blob) => el("img", { src: URL.createObjectURL(blob), alt: "" })));
  });

  $("report-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const problem = !chosen ? T.chooseClass : !position ? T.noPosition : "";
    $("report-error").textContent = problem;
    if (problem) return;
    const report = {
      client_uuid: uuid4(),
      class_code: chosen.code,
      class_name: chosen.name,
      condition: $("condition-row").hidden ? null : Number($("condition").value) || null,
      component_id: $("component-row").hidden ? null : $("component").value || null,
      lat: Number(position.lat.toFixed(7)),
      lng: Number(position.lng.toFixed(7)),
      address: $("address").value.trim(),
      description: $("description").value.trim(),
      reported_at: new Date().toISOString(),
      photos: photos,
      state: "waiting",
      reason: "",
    };
    await putReport(report);
    localStorage.setItem(RECENT_KEY, JSON.stringify([chosen.code, ...recentCodes().filter((c) => c !== chosen.code)].slice(0, 6)));
    photos = [];
    $("photo-strip").replaceChildren();
    $("address").value = "";
    $("description").value = "";
    showRecent();
    toast(T.saved);
    await refreshOutbox();
    sync();
  });

  // ---- sending ----------------------------------------------------------------------------------------------------
  const FIELDS = ["client_uuid", "class_code", "condition", "component_id", "lat", "lng", "address", "description", "reported_at"];
  const fieldsOf = (report) => Object.fromEntries(FIELDS.filter((k) => report[k] !== null && report[k] !== "").map((k) => [k, report[k]]));
  const retryLater = (status) => status >= 500 || status === 401 || status === 408 || status === 429;

  let syncing = false;
  async function sync() {
    if (syncing || !session() || !navigator.onLine) return;
    syncing = true;
    let sent = 0;
    try {
      const waiting = (await allReports()).filter((r) => r.state === "waiting");
      const plain = waiting.filter((r) => !r.photos.length);
      for (let start = 0; start < plain.length; start += BATCH_SIZE) {
        const chunk = plain.slice(start, start + BATCH_SIZE);
        const response = await api(CFG.batch, { method: "POST", json: { items: chunk.map(fieldsOf) } });
        if (retryLater(response.status)) return;
        const body = await response.json();
        if (!response.ok) {
          for (const report of chunk) await putReport(Object.assign(report, { state: "refused", reason: errorText(body) }));
          continue;
        }
        for (const result of body.results) {
          const report = chunk.find((r) => r.client_uuid === result.client_uuid) || chunk[result.index];
          if (!report) continue;
          if (result.status === "error") Object.assign(report, { state: "refused", reason: errorText(result.errors) });
          else Object.assign(report, { state: "sent", case_id: result.id, case_no: result.case_no, reason: "" }), sent++;
          await putReport(report);
        }
      }
      for (const report of waiting.filter((r) => r.photos.length)) {
        const form = new FormData();
        Object.entries(fieldsOf(report)).forEach(([key, value]) => form.append(key, value));
        report.photos.forEach((blob, i) => form.append("photos", blob, `photo-${i + 1}.jpg`));
        const response = await api(CFG.cases, { method: "POST", body: form });
        if (retryLater(response.status)) return;
        const body = await response.json();
        if (response.ok) Object.assign(report, { state: "sent", case_id: body.id, case_no: body.case_no, reason: "" }), sent++;
        else Object.assign(report, { state: "refused", reason: errorText(body) });
        await putReport(report);
      }
    } catch (e) {
      /* no network after all: the reports stay waiting */
    } finally {
      syncing = false;
      if (sent) toast(fmt(T.synced, { count: sent }));
      refreshOutbox();
    }
  }

  async function refreshOutbox() {
    const reports = (await allReports()).sort((a, b) => b.reported_at.localeCompare(a.reported_at));
    const waiting = reports.filter((r) => r.state === "waiting").length;
    $("outbox-count").textContent = waiting ? String(waiting) : "";
    const list = $("outbox-list");
    list.replaceChildren();
    if (!reports.length) list.append(el("li", { class: "muted" }, T.empty));
    reports.slice(0, 100).forEach((r) =>
      list.append(
        el(
          "li",
          { class: "item state-" + r.state, "data-uuid": r.client_uuid, "data-state": r.state },
          el("strong", {}, r.class_name || r.class_code),
          el("span", { class: "state" }, r.state === "sent" ? `${T.sent} ${r.case_no || ""}` : r.state === "refused" ? T.refused : T.waiting),
          el("small", {}, when(r.reported_at), r.photos.length ? " · " + fmt(T.photos, { count: r.photos.length }) : ""),
          r.reason ? el("p", { class: "error" }, r.reason) : ""
        )
      )
    );
  }
  $("sync-now").addEventListener("click", () => (navigator.onLine ? sync() : toast(T.needNetwork)));

  // ---- tasks: verify (核实) and check (核查) -------------------------------------------------------------------------
  let taskMap = null;
  let openTask = null;

  async function loadTasks() {
    if (!navigator.onLine || !session()) return;
    try {
      const response = await api(CFG.tasks);
      if (!response.ok) return;
      const body = await response.json();
      const tasks = body.results || body;
      $("task-count").textContent = tasks.length ? String(body.count ?? tasks.length) : "";
      const list = $("task-list");
      list.replaceChildren();
      if (!tasks.length) list.append(el("li", { class: "muted" }, T.noTasks));
      tasks.forEach((task) =>
        list.append(
          el(
            "li",
            { class: "item light-" + (task.traffic_light || "none"), "data-case": task.id },
            el("button", { type: "button", class: "row", onclick: () => showTask(task.id) },
              el("strong", {}, `${task.status === "verifying" ? T.verifyTask : T.checkTask} · ${task.class_name}`),
              el("span", {}, task.address || task.case_no),
              el("small", {}, task.deadline ? fmt(T.deadline, { time: when(task.deadline) }) : ""))
          )
        )
      );
    } catch (e) {
      /* offline */
    }
  }

  async function showTask(id) {
    if (!navigator.onLine) return toast(T.needNetwork);
    const response = await api(`${CFG.cases}${id}/`);
    if (!response.ok) return;
    openTask = await response.json();
    const verifying = openTask.status === "verifying";
    $("task-list").hidden = true;
    $("task-detail").hidden = false;
    $("task-title").textContent = `${openTask.case_no} · ${openTask.class_name}`;
    $("task-text").textContent = [openTask.address, openTask.description].filter(Boolean).join(" — ");
    $("task-question").textContent = verifying ? T.verifyQuestion : T.checkQuestion;
    $("task-yes").textContent = verifying ? T.verifyYes : T.checkYes;
    $("task-no").textContent = verifying ? T.verifyNo : T.checkNo;
    $("task-error").textContent = "";
    const point = [openTask.location.lat, openTask.location.lng];
    if (!taskMap) {
      taskMap = L.map("task-map", { zoomControl: false, attributionControl: false });
      if (window.CityBaseMap) window.CityBaseMap.addTo(taskMap);
    }
    taskMap.setView(point, 17);
    taskMap.eachLayer((layer) => layer instanceof L.CircleMarker && taskMap.removeLayer(layer));
    L.circleMarker(point, { radius: 9, color: "#c0392b", weight: 3, fillOpacity: 0.6 }).addTo(taskMap);
    if (position) L.circleMarker([position.lat, position.lng], { radius: 6, color: "#1f5fa8", fillOpacity: 0.9 }).addTo(taskMap);
    setTimeout(() => taskMap.invalidateSize(), 0);
  }

  $("task-back").addEventListener("click", () => {
    $("task-detail").hidden = true;
    $("task-list").hidden = false;
  });

  $("task-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!openTask) return;
    if (!navigator.onLine) return ($("task-error").textContent = T.needNetwork);
    const action = openTask.status === "verifying" ? "verify" : "check";
    const form = new FormData();
    form.append(action === "verify" ? "verified" : "passed", new FormData(event.target).get("result"));
    form.append("opinion", event.target.opinion.value.trim());
    (await readPhotos($("task-photos"))).forEach((blob, i) => form.append("photos", blob, `photo-${i + 1}.jpg`));
    try {
      const response = await api(`${CFG.cases}${openTask.id}/${action}/`, { method: "POST", body: form });
      if (!response.ok) return ($("task-error").textContent = errorText(await response.json()));
    } catch (e) {
      return ($("task-error").textContent = T.needNetwork);
    }
    event.target.reset();
    $("task-photos").value = "";
    toast(T.done);
    $("task-back").click();
    loadTasks();
  });

  // ---- the collector's own reports ------------------------------------------------------------------------------------
  async function loadMine() {
    if (!navigator.onLine || !session()) return;
    try {
      const response = await api(`${CFG.cases}?mine=reports`);
      if (!response.ok) return;
      const cases = (await response.json()).results || [];
      const list = $("mine-list");
      list.replaceChildren();
      if (!cases.length) list.append(el("li", { class: "muted" }, T.noReports));
      cases.forEach((c) =>
        list.append(
          el(
            "li",
            { class: "item light-" + (c.traffic_light || "none"), "data-case": c.id },
            el("strong", {}, `${c.case_no} · ${c.class_name}`),
            el("span", { class: "state" }, c.status_label),
            el("small", {}, when(c.received_at), c.address ? " · " + c.address : "")
          )
        )
      );
    } catch (e) {
      /* offline */
    }
  }

  // ---- on duty (在岗): the position every CFG.patrolInterval seconds, kept on the phone and sent in batches ------------
  const DUTY_KEY = "fieldapp.duty";
  const onDuty = () => localStorage.getItem(DUTY_KEY) === "1";
  let lastKept = 0;

  function showDuty() {
    $("duty").textContent = onDuty() ? T.offDuty : T.onDuty;
    $("duty").setAttribute("aria-pressed", String(onDuty()));
    $("duty").hidden = !session();
  }

  $("duty").addEventListener("click", () => {
    localStorage.setItem(DUTY_KEY, onDuty() ? "0" : "1");
    showDuty();
    if (onDuty()) keepPosition(true);
    else sendTrack();
  });

  async function keepPosition(force) {
    if (!onDuty() || !position || !session()) return;
    const now = Date.now();
    if (!force && now - lastKept < CFG.patrolInterval * 1000 - 500) return;
    lastKept = now;
    await keepPoint({ at: new Date(now).toISOString(), lat: position.lat, lng: position.lng, accuracy: position.accuracy });
  }

  let sendingTrack = false;
  async function sendTrack() {
    if (sendingTrack || !navigator.onLine || !session()) return;
    sendingTrack = true;
    try {
      const points = (await trackPoints()).slice(0, 1000);
      if (!points.length) return;
      const response = await api(CFG.patrol, { method: "POST", json: { points } });
      if (response.ok || response.status === 400) await forgetPoints(points.map((p) => p.at)); // 400: never storable
    } catch (e) {
      /* no network: the points wait on the phone */
    } finally {
      sendingTrack = false;
    }
  }
  setInterval(() => keepPosition(false), 1000);
  setInterval(sendTrack, 60000);
  window.addEventListener("online", sendTrack);

  // ---- start -------------------------------------------------------------------------------------------------------
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(CFG.worker, { scope: new URL(".", location.href).pathname }).catch(() => {});
  }
  showNetwork();
  watchPosition();
  setInterval(sync, 30000);
  if (session()) showMain();
  else showLogin("");
})();
