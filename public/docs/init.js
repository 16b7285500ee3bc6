/*
 * Renders /api/v1/openapi.json with Swagger UI (served from this origin, no CDN).
 * /docs?tenant=<slug> shows that tenant's document (its plugins and custom fields).
 */
;(function () {
  var tenant = new URLSearchParams(window.location.search).get('tenant')
  window.ui = window.SwaggerUIBundle({
    url: '/api/v1/openapi.json',
    dom_id: '#reference',
    deepLinking: true,
    // Tags start folded: the generic document lists every plugin's resources (hundreds of operations).
    docExpansion: 'none',
    filter: true,
    defaultModelsExpandDepth: 0,
    displayRequestDuration: true,
    validatorUrl: null,
    requestInterceptor: function (request) {
      if (tenant) request.headers['X-Tenant-ID'] = tenant
      return request
    },
  })
})()
