/*
 * Carnet — SMART Health Links viewer (HL7 SMART Health Cards and Links IG, STU1).
 *
 * Reads the link after "#" (browsers never send it to a server), asks the
 * manifest (or the file itself for a "U" link), decrypts the JWE (dir +
 * A256GCM) with WebCrypto and the key from the link, and shows the
 * International Patient Summary in the reader's language. No inline script,
 * no HTML built from data (text nodes only), nothing stored in the browser.
 */
(() => {
  "use strict";

  const T = {
    fr: {
      title: "Résumé d'urgence", open: "Afficher le résumé", recipient: "Qui consulte ? (service, nom)",
      defaultRecipient: "Secours", passcode: "Code d'accès", expires: "Expire le", expired: "Ce lien a expiré le",
      noLink: "Aucun lien dans l'adresse : scannez le QR code de la carte ou du téléphone de la personne.",
      badLink: "Ce lien n'est pas un SMART Health Link lisible.", loading: "Déchiffrement…",
      wrong: (n) => `Code d'accès incorrect. Essais restants : ${n}.`, inactive: "Ce lien n'est plus actif (expiré, révoqué ou bloqué).",
      failed: "Le résumé n'a pas pu être ouvert.", noCrypto: "Ce navigateur ne peut pas déchiffrer ici (il faut HTTPS).",
      none: "Aucune information disponible.", born: "Né(e) le", contacts: "Personnes à prévenir", trusted: "Personne de confiance",
      emergencyContact: "À prévenir", blood: "Groupe sanguin :", doctor: "Médecin traitant :", highRisk: "RISQUE ÉLEVÉ", until: "jusqu'au", made: "Résumé établi le",
      footer: "Résumé déchiffré sur ce téléphone ; rien n'y est conservé.",
      sections: {
        "48765-2": "Allergies et intolérances", "11450-4": "Problèmes de santé", "10160-0": "Traitements en cours",
        "10162-6": "Grossesse", "46264-8": "Dispositifs et implants", "42348-3": "Directives anticipées", "104605-1": "Alertes et notes",
        "30954-2": "Résultats", "8716-3": "Signes vitaux", "11369-6": "Vaccinations", "47519-4": "Interventions",
        "11348-0": "Antécédents", "18776-5": "Plan de soins", "29762-2": "Mode de vie", "47420-5": "Autonomie", "81338-6": "Souhaits",
      },
    },
    en: {
      title: "Emergency summary", open: "Show the summary", recipient: "Who is reading? (service, name)",
      defaultRecipient: "First responder", passcode: "Passcode", expires: "Expires on", expired: "This link expired on",
      noLink: "No link in the address: scan the QR code on the person's card or phone.",
      badLink: "This is not a readable SMART Health Link.", loading: "Decrypting…",
      wrong: (n) => `Wrong passcode. Attempts left: ${n}.`, inactive: "This link is no longer active (expired, revoked or disabled).",
      failed: "The summary could not be opened.", noCrypto: "This browser cannot decrypt here (HTTPS is needed).",
      none: "No information available.", born: "Born", contacts: "People to call", trusted: "Trusted person",
      emergencyContact: "To call", blood: "Blood group:", doctor: "Treating doctor:", highRisk: "HIGH RISK", until: "until", made: "Summary made on",
      footer: "Summary decrypted on this phone; nothing is kept on it.",
      sections: {
        "48765-2": "Allergies and intolerances", "11450-4": "Health problems", "10160-0": "Current medications",
        "10162-6": "Pregnancy", "46264-8": "Devices and implants", "42348-3": "Advance directives", "104605-1": "Alerts and notes",
        "30954-2": "Results", "8716-3": "Vital signs", "11369-6": "Immunizations", "47519-4": "Procedures",
        "11348-0": "Past illnesses", "18776-5": "Plan of care", "29762-2": "Social history", "47420-5": "Functional status",
        "81338-6": "Patient goals",
      },
    },
  };
  /* What a first responder reads first. */
  const BLOOD = ["882-1", "883-9"]; /* LOINC: ABO and Rh group; ABO group */
  const ORDER = ["48765-2", "11450-4", "10160-0", "10162-6", "46264-8", "42348-3", "104605-1", "30954-2", "8716-3", "11369-6"];
  const $ = (id) => document.getElementById(id);
  const state = { lang: pickLanguage(), payload: null, bundle: null, recipientTouched: false };

  function pickLanguage() {
    for (const tag of navigator.languages || [navigator.language || ""]) {
      const primary = String(tag).slice(0, 2).toLowerCase();
      if (T[primary]) return primary;
    }
    return "en";
  }

  function bytes(b64url) {
    let text = b64url.replace(/-/g, "+").replace(/_/g, "/");
    while (text.length % 4) text += "=";
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  }

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function say(message, isError) {
    const status = $("status");
    status.hidden = !message;
    status.textContent = message || "";
    status.classList.toggle("error", Boolean(isError));
  }

  function parseLink() {
    const at = location.hash.indexOf("shlink:/");
    if (at < 0) return null;
    const payload = JSON.parse(new TextDecoder().decode(bytes(location.hash.slice(at + 8))));
    if (typeof payload.url !== "string" || typeof payload.key !== "string") throw new Error("bad link");
    return payload;
  }

  async function decrypt(jwe, keyText) {
    const parts = jwe.trim().split(".");
    if (parts.length !== 5) throw new Error("not a compact JWE");
    const header = JSON.parse(new TextDecoder().decode(bytes(parts[0])));
    if (header.alg !== "dir" || header.enc !== "A256GCM") throw new Error("unexpected JWE algorithms");
    const cipher = bytes(parts[3]);
    const tag = bytes(parts[4]);
    const sealed = new Uint8Array(cipher.length + tag.length);
    sealed.set(cipher);
    sealed.set(tag, cipher.length);
    const key = await crypto.subtle.importKey("raw", bytes(keyText), { name: "AES-GCM" }, false, ["decrypt"]);
    let plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: bytes(parts[2]), additionalData: new TextEncoder().encode(parts[0]), tagLength: 128 },
      key, sealed,
    );
    if (header.zip === "DEF") {
      const stream = new Blob([plain]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
      plain = await new Response(stream).arrayBuffer();
    }
    return { contentType: header.cty, text: new TextDecoder().decode(plain) };
  }

  async function fetchFiles(payload, recipient, passcode) {
    const flags = payload.flag || "";
    if (flags.includes("U")) {
      const response = await fetch(`${payload.url}?recipient=${encodeURIComponent(recipient)}`);
      return { status: response.status, files: response.ok ? [await response.text()] : [], body: null };
    }
    const body = { recipient };
    if (flags.includes("P")) body.passcode = passcode;
    const response = await fetch(payload.url, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body),
    });
    const json = await response.json().catch(() => null);
    if (!response.ok) return { status: response.status, files: [], body: json };
    const files = [];
    for (const file of (json && json.files) || []) {
      if (file.contentType !== "application/fhir+json") continue;
      if (typeof file.embedded === "string") files.push(file.embedded);
      else if (typeof file.location === "string") files.push(await (await fetch(file.location)).text());
    }
    return { status: response.status, files, body: json };
  }

  async function open(event) {
    event.preventDefault();
    const t = T[state.lang];
    if (!window.crypto || !crypto.subtle) return say(t.noCrypto, true);
    say(t.loading, false);
    try {
      const got = await fetchFiles(state.payload, $("recipient").value.trim(), $("passcode").value);
      if (got.status === 401) return say(t.wrong(got.body ? got.body.remainingAttempts : 0), true);
      if (got.status === 404) return say(t.inactive, true);
      if (got.status !== 200 || !got.files.length) return say(t.failed, true);
      const found = await decrypt(got.files[0], state.payload.key);
      state.bundle = JSON.parse(found.text);
      say("", false);
      $("link-panel").hidden = true;
      render();
    } catch (err) {
      say(t.failed, true);
    }
  }

  /* ---- reading FHIR ---- */

  function concept(value) {
    if (!value) return "";
    if (value.text) return value.text;
    const coding = (value.coding || []).find((c) => c.display) || (value.coding || [])[0];
    return coding ? coding.display || coding.code || "" : "";
  }

  function day(value) {
    if (typeof value !== "string") return "";
    if (value.length < 10) return value;
    const when = new Date(value.length === 10 ? `${value}T12:00:00` : value);
    return Number.isNaN(when.getTime()) ? value : new Intl.DateTimeFormat(state.lang, { dateStyle: "medium" }).format(when);
  }

  function quantity(q) {
    if (!q || q.value === undefined) return "";
    return `${new Intl.NumberFormat(state.lang).format(q.value)} ${q.unit || q.code || ""}`.trim();
  }

  function observationValue(res) {
    if (res.valueQuantity) return quantity(res.valueQuantity);
    if (res.valueCodeableConcept) return concept(res.valueCodeableConcept);
    if (typeof res.valueString === "string") return res.valueString;
    if (res.valueDateTime) return day(res.valueDateTime);
    if (Array.isArray(res.component)) return res.component.map((c) => quantity(c.valueQuantity)).filter(Boolean).join(" / ");
    return "";
  }

  function describe(res, resolve) {
    const t = T[state.lang];
    const join = (...parts) => parts.filter(Boolean).join(" · ");
    switch (res.resourceType) {
      case "AllergyIntolerance": {
        const reactions = (res.reaction || []).flatMap((r) => (r.manifestation || []).map(concept)).join(", ");
        return { text: join(concept(res.code), reactions, res.criticality === "high" ? t.highRisk : ""), alert: res.criticality === "high" };
      }
      case "Condition": return { text: join(concept(res.code), day(res.onsetDateTime)) };
      case "MedicationStatement":
      case "MedicationRequest": {
        const dosage = (res.dosage || res.dosageInstruction || []).map((d) => d.text).filter(Boolean).join("; ");
        const end = res.effectivePeriod && res.effectivePeriod.end ? `${t.until} ${day(res.effectivePeriod.end)}` : "";
        const med = res.medicationCodeableConcept || (resolve(res.medicationReference) || {}).code;
        return { text: join(concept(med), dosage, end) };
      }
      case "Immunization": return { text: join(concept(res.vaccineCode), day(res.occurrenceDateTime)) };
      case "Observation": return { text: join(concept(res.code), observationValue(res), day(res.effectiveDateTime)) };
      case "DeviceUseStatement": {
        const device = resolve(res.device && res.device.reference);
        return { text: (res.device && res.device.display) || concept(device && device.type) };
      }
      case "Device": return { text: concept(res.type) };
      case "DocumentReference": {
        const title = ((res.content || [])[0] || {}).attachment || {};
        return { text: join(res.description || concept(res.type), title.title !== res.description ? title.title : "") };
      }
      case "Flag": return { text: concept(res.code), alert: true };
      case "Consent": return { text: join(...(res.category || []).map(concept), concept((res.provision || {}).code && res.provision.code[0])) };
      case "Procedure": return { text: join(concept(res.code), day(res.performedDateTime)) };
      default: return { text: concept(res.code) || res.resourceType };
    }
  }

  function render() {
    const t = T[state.lang];
    const out = $("summary");
    out.replaceChildren();
    const entries = (state.bundle && state.bundle.entry) || [];
    const index = new Map();
    for (const entry of entries) {
      const res = entry.resource || {};
      if (entry.fullUrl) index.set(entry.fullUrl, res);
      if (res.resourceType && res.id) index.set(`${res.resourceType}/${res.id}`, res);
    }
    const resolve = (ref) => (ref ? index.get(ref) || index.get(String(ref).split("/").slice(-2).join("/")) : undefined);
    const composition = (entries.find((e) => e.resource && e.resource.resourceType === "Composition") || {}).resource;
    if (!composition) return say(t.failed, true);
    const patient = resolve(composition.subject && composition.subject.reference) || {};
    const name = ((patient.name || [])[0] || {});
    const head = el("header", null, "panel patient");
    head.append(el("h1", name.text || [...(name.given || []), name.family].filter(Boolean).join(" ")));
    if (patient.birthDate) head.append(el("p", `${t.born} ${day(patient.birthDate)}`, "muted"));
    const blood = entries.map((e) => e.resource || {}).find((r) => r.resourceType === "Observation"
      && ((r.code || {}).coding || []).some((c) => c.system === "http://loinc.org" && BLOOD.includes(c.code)));
    if (blood) head.append(el("p", `${t.blood} ${observationValue(blood)}`, "blood-group"));
    out.append(head);
    const sections = [...(composition.section || [])];
    const rank = (s) => { const code = ((s.code || {}).coding || [{}])[0].code; const i = ORDER.indexOf(code); return i < 0 ? ORDER.length : i; };
    sections.sort((a, b) => rank(a) - rank(b));
    for (const section of sections) {
      const code = ((section.code || {}).coding || [{}])[0].code;
      const box = el("section", null, `panel emergency-section loinc-${code}`);
      box.append(el("h2", t.sections[code] || section.title || code));
      const lines = (section.entry || []).map((e) => resolve(e.reference)).filter(Boolean).map((r) => describe(r, resolve));
      if (lines.length) {
        const list = el("ul", null, "items");
        for (const line of lines) list.append(el("li", line.text, line.alert ? "item alert" : "item"));
        box.append(list);
      } else {
        box.append(el("p", t.none, "muted"));
      }
      out.append(box);
    }
    const people = el("section", null, "panel contacts");
    people.append(el("h2", t.contacts));
    const list = el("ul", null, "items");
    for (const contact of patient.contact || []) {
      const role = ((contact.relationship || [])[0] || {});
      const code = ((role.coding || [])[0] || {}).code;
      const label = code === "trusted-person" ? t.trusted : role.text || t.emergencyContact;
      const item = el("li", `${(contact.name || {}).text || ""} (${label}) `, "item");
      for (const phone of (contact.telecom || []).filter((x) => x.system === "phone")) {
        const a = el("a", phone.value);
        a.href = `tel:${phone.value.replace(/\s+/g, "")}`;
        item.append(a);
      }
      list.append(item);
    }
    for (const ref of patient.generalPractitioner || []) {
      const doctor = resolve(ref.reference) || {};
      const phone = ((doctor.telecom || [])[0] || {}).value || "";
      list.append(el("li", `${t.doctor} ${((doctor.name || [])[0] || {}).text || ref.display || ""} ${phone}`.trim(), "item"));
    }
    if (list.children.length) { people.append(list); out.append(people); }
    out.append(el("p", `${t.made} ${day(composition.date)}`, "muted"));
  }

  function localise() {
    const t = T[state.lang];
    document.documentElement.lang = state.lang;
    document.title = t.title;
    $("viewer-title").textContent = t.title;
    $("recipient-label").textContent = t.recipient;
    $("passcode-label").textContent = t.passcode;
    $("open-button").textContent = t.open;
    $("viewer-footer").textContent = t.footer;
    if (!state.recipientTouched) $("recipient").value = t.defaultRecipient;
    for (const button of document.querySelectorAll(".lang-switch")) {
      button.setAttribute("aria-pressed", String(button.dataset.lang === state.lang));
    }
    if (state.payload) {
      $("link-label").textContent = state.payload.label || t.title;
      if (state.payload.exp) {
        const when = new Date(state.payload.exp * 1000);
        const text = new Intl.DateTimeFormat(state.lang, { dateStyle: "medium", timeStyle: "short" }).format(when);
        $("link-meta").textContent = `${when < new Date() ? t.expired : t.expires} ${text}`;
      }
    }
    if (state.bundle) render();
  }

  function start() {
    for (const button of document.querySelectorAll(".lang-switch")) {
      button.addEventListener("click", () => { state.lang = button.dataset.lang; localise(); });
    }
    $("recipient").addEventListener("input", () => { state.recipientTouched = true; });
    try {
      state.payload = parseLink();
    } catch (err) {
      localise();
      return say(T[state.lang].badLink, true);
    }
    localise();
    if (!state.payload) return say(T[state.lang].noLink, true);
    /* The key leaves the address bar (and the history) once read. */
    history.replaceState(null, "", location.pathname);
    $("passcode-field").hidden = !(state.payload.flag || "").includes("P");
    $("passcode").required = !$("passcode-field").hidden;
    $("link-panel").hidden = false;
    $("open-form").addEventListener("submit", open);
    localise();
  }

  document.addEventListener("DOMContentLoaded", start);
})();
