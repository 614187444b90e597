// Starts GOV.UK Frontend and MOJ Frontend components, and again inside content htmx swaps in.
import * as govuk from "../govuk/govuk-frontend.min.js";
import * as moj from "../moj/moj-frontend.min.js";
import { watchScrollBox } from "./table-scroll.mjs";
import "./timeout-warning.mjs";

// A browser that runs this module supports what GOV.UK Frontend needs (ES modules).
document.body.classList.add("js-enabled", "govuk-frontend-supported");

function initComponents(scope) {
  govuk.initAll({ scope });
  moj.initAll({ scope });
  wrapTables(scope);
}

// Each GOV.UK table sits in a box that scrolls sideways on its own (table-scroll.mjs).
let tableBoxes = 0;

function wrapTables(scope) {
  const tables = scope.matches && scope.matches("table.govuk-table")
    ? [scope]
    : scope.querySelectorAll("table.govuk-table");
  tables.forEach((table) => {
    if (table.parentElement.classList.contains("app-table-scroll")) return;
    const box = document.createElement("div");
    box.className = "app-table-scroll";
    let caption = table.querySelector("caption");
    if (!caption) {
      caption = table.createCaption();
      caption.className = "govuk-visually-hidden";
      caption.textContent = "Table";
    }
    tableBoxes += 1;
    caption.id = caption.id || `app-table-caption-${tableBoxes}`;
    box.dataset.labelledby = caption.id;
    // Named after the caption, so a table that htmx redraws gets a box of the same id (focus
    // can come back to it).
    box.id = `${caption.id}-box`;
    table.before(box);
    box.append(table);
    watchScrollBox(box);
  });
}

initComponents(document);

document.body.addEventListener("htmx:afterSwap", (event) => {
  // Only the new content: components already started must not be started twice.
  initComponents(event.detail.elt);
});

// An error summary that an htmx swap brings in takes focus, as GOV.UK Frontend gives it on a
// page load, so a screen reader announces it and the keyboard starts from it; while one is on
// the page the title starts "Error: ", as a full page with errors does.
const ERROR_PREFIX = "Error: ";
document.body.addEventListener("htmx:afterSettle", (event) => {
  const swapped = event.detail.elt;
  const scope = swapped && swapped.isConnected ? swapped : document;
  const summary = scope.querySelector('[data-module="govuk-error-summary"]');
  if (summary && document.activeElement !== summary) {
    summary.setAttribute("tabindex", "-1");
    summary.focus();
  }
  const anySummary = document.querySelector('[data-module="govuk-error-summary"]');
  if (anySummary && !document.title.startsWith(ERROR_PREFIX)) {
    document.title = ERROR_PREFIX + document.title;
  } else if (!anySummary && document.title.startsWith(ERROR_PREFIX)) {
    document.title = document.title.slice(ERROR_PREFIX.length);
  }
});

// Live regions. Each area of a page has one persistent live region (role="status") that htmx
// never replaces; an htmx answer carries what to say in a hidden element whose data-announce
// names that region. Its text is moved into the region, so the region node stays and a screen
// reader announces the change once.
function announce() {
  document.querySelectorAll("[data-announce]").forEach((source) => {
    const region = document.getElementById(source.dataset.announce);
    const text = source.textContent.trim();
    source.remove();
    if (!region) return;
    // Emptied first: the same message twice in a row is still a change, and is announced again.
    region.textContent = "";
    window.setTimeout(() => {
      region.textContent = text;
    }, 50);
  });
}

// Focus after an htmx swap, as GOV.UK patterns place it: the error summary (above), else a
// success banner marked data-focus-after-swap, else back to the link that opened a form when
// the form is cancelled (data-return-focus), else, when the control that sent the request has
// been swapped away, the new content itself, so focus never drops to <body>.
const openers = new Map(); // target id -> hx-get of the link that opened a form there
let requester = null;

function focusOn(element) {
  if (!element.matches("a, button, input, select, textarea, [tabindex]")) {
    element.setAttribute("tabindex", "-1");
  }
  element.focus();
}

// What had focus inside content that a swap replaces (a poll redraws a table under the
// keyboard): its id, so that the element of the same id in the new content takes focus again.
// htmx does this itself for what it swaps in; a table's scroll box is only made after the swap.
let focusedId = null;
document.body.addEventListener("htmx:beforeSwap", (event) => {
  const active = document.activeElement;
  const target = event.detail.target;
  focusedId = active && active.id && target && target.contains(active) ? active.id : null;
});

document.body.addEventListener("htmx:beforeRequest", (event) => {
  const elt = event.detail.elt;
  const target = event.detail.target;
  // Only what the colleague did moves focus: never a poll ("every 2s") or a page event.
  const cause = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
  if (!cause || !cause.isTrusted) return;
  requester = { elt, targetId: target && target.id };
  const opensForm = elt.tagName === "A" && elt.hasAttribute("hx-get");
  if (opensForm && !elt.hasAttribute("data-return-focus") && target && target.id) {
    openers.set(target.id, elt.getAttribute("hx-get"));
  }
});

document.body.addEventListener("htmx:afterSettle", (event) => {
  announce();
  const sent = requester;
  requester = null;
  const active = document.activeElement;
  const lostId = focusedId;
  focusedId = null;
  if (active && active.matches('[data-module="govuk-error-summary"]')) return;
  const banner = document.querySelector("[data-focus-after-swap]");
  if (banner) {
    banner.removeAttribute("data-focus-after-swap");
    focusOn(banner);
    return;
  }
  const dropped = !active || active === document.body;
  const replacement = lostId && dropped && document.getElementById(lostId);
  if (replacement) {
    focusOn(replacement);
    return;
  }
  if (!sent) return;
  if (sent.elt.hasAttribute("data-return-focus") && sent.targetId) {
    const url = openers.get(sent.targetId);
    const opener = url && document.querySelector(`[hx-get="${CSS.escape(url)}"]`);
    const area = document.getElementById(sent.targetId);
    if (opener) focusOn(opener);
    else if (area) focusOn(area);
    return;
  }
  if (sent.elt.isConnected || (active && active !== document.body && active.isConnected)) return;
  const swapped = sent.targetId && document.getElementById(sent.targetId);
  if (swapped) focusOn(swapped);
});

// A link that opens a form on the page (data-focus-form names the form's area, the link's href
// its heading): the heading goes to the top of the window and focus into the form's first field,
// so the colleague answers straight away. Without JavaScript the link still jumps to the heading.
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest("a[data-focus-form]");
  if (!link) return;
  const area = document.getElementById(link.dataset.focusForm);
  const field = area && area.querySelector("input:not([type=hidden]), select, textarea");
  if (!field) return;
  event.preventDefault();
  // Focus first: a skip link that had it hides again, and the page moves up by its height.
  field.focus({ preventScroll: true });
  const heading = document.getElementById(link.hash.slice(1));
  (heading || area).scrollIntoView({ block: "start" });
});
