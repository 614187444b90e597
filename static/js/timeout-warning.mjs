// The GOV.UK timeout warning (templates/includes/timeout_warning.html): a modal dialog shown
// `data-warning` seconds before the idle sign-out. Every request the colleague makes (a page
// load, an htmx update, "Stay signed in") starts the idle time again, as it does on the server;
// a timed poll (sent with `X-Poll: 1`, accounts/middleware.py) does not, here or there.
// "Stay signed in" (or Escape) posts to the keep-alive endpoint and closes the dialog: the page
// is not reloaded, so anything typed stays, and focus goes back where it was. At zero the
// browser goes to the sign-in page.
const dialog = document.getElementById("timeout-warning");

function describe(seconds) {
  if (seconds >= 60) {
    const minutes = Math.ceil(seconds / 60);
    return `${minutes} minute${minutes === 1 ? "" : "s"}`;
  }
  return `${seconds} second${seconds === 1 ? "" : "s"}`;
}

if (dialog && typeof dialog.showModal === "function") {
  const timeout = Number(dialog.dataset.timeout) * 1000;
  const warning = Number(dialog.dataset.warning) * 1000;
  const countdown = dialog.querySelector("[data-countdown]");
  const stay = dialog.querySelector("[data-timeout-stay]");
  const csrf = dialog.querySelector("input[name=csrfmiddlewaretoken]");
  let expiresAt = Date.now() + timeout;
  let returnFocusTo = null;

  // The session is shared by every tab of the portal: each tab notes its last request here, and
  // a request in another tab keeps this one from warning or leaving.
  const SHARED = "dwpportal.session.lastRequestAt";
  const sharedExpiry = () => {
    try {
      return Number(window.localStorage.getItem(SHARED) || 0) + timeout;
    } catch {
      return 0;
    }
  };

  const tick = () => {
    expiresAt = Math.max(expiresAt, sharedExpiry());
    const left = Math.max(0, Math.round((expiresAt - Date.now()) / 1000));
    if (left === 0) {
      window.location.assign(dialog.dataset.signedOutUrl);
      return;
    }
    if (!dialog.open && left * 1000 <= warning) {
      returnFocusTo = document.activeElement;
      countdown.textContent = describe(left);
      dialog.showModal();
      stay.focus();
    } else if (dialog.open && left * 1000 > warning) {
      close(); // another tab kept the session
    } else if (dialog.open) {
      // Minutes while there are minutes (not a number changing every second for screen
      // readers), then seconds for the last one.
      const text = describe(left);
      if (countdown.textContent !== text) countdown.textContent = text;
    }
  };

  const restart = () => {
    expiresAt = Date.now() + timeout;
    try {
      window.localStorage.setItem(SHARED, String(Date.now()));
    } catch {
      // No storage (a locked-down browser): this tab counts on its own.
    }
  };

  const close = () => {
    if (dialog.open) dialog.close();
    if (returnFocusTo && returnFocusTo.isConnected) returnFocusTo.focus();
    returnFocusTo = null;
  };

  const staySignedIn = async () => {
    try {
      const response = await fetch(dialog.dataset.keepAliveUrl, {
        method: "POST",
        headers: { "X-CSRFToken": csrf ? csrf.value : "" },
        credentials: "same-origin",
      });
      if (!response.ok) {
        window.location.assign(dialog.dataset.signedOutUrl);
        return;
      }
      restart();
    } finally {
      close();
    }
  };

  restart(); // the page load was a request
  stay.addEventListener("click", staySignedIn);
  // Escape means "stay": the colleague is here.
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    staySignedIn();
  });
  // Tab and Shift+Tab go round the dialog's own controls, never out to the browser.
  dialog.addEventListener("keydown", (event) => {
    if (event.key !== "Tab") return;
    const controls = Array.from(dialog.querySelectorAll("button, a[href]"));
    const first = controls[0];
    const last = controls[controls.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  });
  document.body.addEventListener("htmx:afterRequest", (event) => {
    const headers = event.detail.requestConfig?.headers || {};
    if (headers["X-Poll"] !== "1") restart();
  });
  window.setInterval(tick, 1000);
}
