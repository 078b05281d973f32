// The API documentation page: Swagger UI (vendored) on the OpenAPI
// document named by #api-docs's data-spec. No validator badge: it would
// send the document to a third party.
document.addEventListener("DOMContentLoaded", () => {
  const el = document.getElementById("api-docs");
  window.SwaggerUIBundle({
    url: el.dataset.spec,
    domNode: el,
    validatorUrl: null,
    deepLinking: true,
    tryItOutEnabled: false,
  });
});
