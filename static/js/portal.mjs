// Starts GOV.UK Frontend and MOJ Frontend components, and again inside content htmx swaps in.
import * as govuk from "../govuk/govuk-frontend.min.js";
import * as moj from "../moj/moj-frontend.min.js";

// A browser that runs this module supports what GOV.UK Frontend needs (ES modules).
document.body.classList.add("js-enabled", "govuk-frontend-supported");

function initComponents(scope) {
  govuk.initAll({ scope });
  moj.initAll({ scope });
}

initComponents(document);

document.body.addEventListener("htmx:afterSwap", (event) => {
  // Only the new content: components already started must not be started twice.
  initComponents(event.detail.elt);
});
