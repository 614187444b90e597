// Starts the self-hosted Swagger UI on the portal's own OpenAPI schema (no CDN, no inline script).
const root = document.getElementById("swagger-ui");
window.SwaggerUIBundle({
  url: root.dataset.schemaUrl,
  domNode: root,
  deepLinking: true,
  // The browser session is the credential here; send the CSRF token with "try it out" writes.
  requestInterceptor: (request) => {
    const csrf = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
    if (csrf) request.headers["X-CSRFToken"] = csrf.split("=")[1];
    return request;
  },
});
