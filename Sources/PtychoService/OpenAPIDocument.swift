import Foundation
import Hummingbird

/// The OpenAPI 3.1 description of the HTTP API, served at `/api/v1/openapi.json`. Paths are relative
/// to the base path. `PtychoServiceTests` checks that its paths and methods are exactly `routeTable`'s.
public enum OpenAPIDocument {
    public static let json = #"""
    {
      "openapi": "3.1.0",
      "info": {"title": "Ptychite job service", "version": "1",
               "description": "Queue, run and fetch X-ray ptychography reconstructions. The job body is the configuration document of `ptychite reconstruct --config`; `input` names a file relative to the data directory."},
      "components": {
        "securitySchemes": {
          "bearer": {"type": "http", "scheme": "bearer",
                     "description": "Auth mode `token`: the access token (also accepted as the `ptychite_token` cookie or the access URL's `?token=`). Auth mode `oidc`: a JWT from the configured issuer (RS/PS/ES 256-512 or EdDSA; `exp`, `nbf`, `iss`, `aud` checked); the owner is its `preferred_username`, else `sub`."},
          "proxyUser": {"type": "apiKey", "in": "header", "name": "X-Forwarded-User",
                        "description": "Auth mode `proxy`: the user named by a trusted reverse proxy (header name per PTYCHITE_PROXY_USER_HEADER); believed only from PTYCHITE_PROXY_TRUSTED addresses."}
        },
        "responses": {
          "Error": {"description": "An error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "Unauthorized": {"description": "No acceptable credential (missing, expired, wrong issuer or audience, bad signature, untrusted proxy, …)",
                           "headers": {"WWW-Authenticate": {"schema": {"type": "string"},
                                       "description": "`Bearer realm=\"ptychite\"`, with `error=\"invalid_token\"` and `error_description` when a credential was presented but refused"}},
                           "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        },
        "parameters": {
          "id": {"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}}
        },
        "schemas": {
          "Error": {"type": "object", "required": ["error"],
                    "properties": {"error": {"type": "string"}, "detail": {"type": ["string", "null"]}}},
          "State": {"type": "string", "enum": ["QUEUED", "INITIALIZING", "RUNNING", "COMPLETE", "EXECUTOR_ERROR",
                                               "SYSTEM_ERROR", "CANCELING", "CANCELED", "PREEMPTED"]},
          "Progress": {"type": "object", "properties": {
            "iteration": {"type": "integer"}, "of": {"type": "integer"}, "engine": {"type": "string"},
            "fourier_error": {"type": "number"}, "llk_poisson": {"type": "number"}, "seconds": {"type": "number"},
            "mode_power": {"type": "array", "items": {"type": "number"}}}},
          "Configuration": {"type": "object", "additionalProperties": false, "properties": {
            "input": {"type": "string"}, "engine": {"type": "string", "examples": ["DM:100,ePIE:20"]},
            "probe_modes": {"type": "integer"}, "threads": {"type": "integer"}, "seed": {"type": "integer"},
            "translation": {"type": ["string", "null"], "enum": ["sample", "probe", null]},
            "invalid_values": {"type": "string", "enum": ["refuse", "mask"]},
            "probe": {"type": ["string", "null"]}, "probe_diameter": {"type": ["number", "null"]},
            "probe_update_start": {"type": "integer"}, "mode_power": {"type": "number"},
            "epie_alpha": {"type": "number"}, "epie_beta": {"type": "number"}, "dm_alpha": {"type": "number"},
            "dm_object_inertia": {"type": "number"}, "dm_probe_inertia": {"type": "number"},
            "dm_fourier_relaxation": {"type": "number"}, "progress": {"type": "string"},
            "max_memory": {"type": ["integer", "null"]}, "device": {"type": "string"},
            "refine_positions_start": {"type": ["integer", "null"]}, "position_step_limit": {"type": "number"},
            "probe_model": {"type": "string", "enum": ["auto", "circular", "rectangular", "zone_plate", "gaussian", "file"]},
            "probe_width": {"type": ["number", "null"]}, "probe_height": {"type": ["number", "null"]},
            "probe_defocus": {"type": ["number", "null"]}, "probe_fwhm": {"type": ["number", "null"]},
            "zone_plate_diameter": {"type": ["number", "null"]}, "zone_plate_outer_zone_width": {"type": ["number", "null"]},
            "zone_plate_central_stop": {"type": ["number", "null"]}, "object_init": {"type": "string"},
            "energy": {"type": ["number", "null"], "description": "J; PtychoShelves input only"},
            "distance": {"type": ["number", "null"], "description": "m; PtychoShelves input only"},
            "detector_pixel_size": {"type": ["number", "null"], "description": "m; PtychoShelves input only"},
            "checkpoint_every": {"type": ["integer", "null"], "minimum": 1},
            "fft_planning": {"type": "string", "enum": ["measure", "estimate"]},
            "rpie_object_alpha": {"type": "number"}, "rpie_probe_alpha": {"type": "number"},
            "mpie_interval": {"type": "integer", "minimum": 0}, "mpie_friction": {"type": "number"},
            "mpie_feedback": {"type": "number"}, "raar_beta": {"type": "number"}, "background": {"type": "boolean"},
            "ml_noise_model": {"type": "string", "enum": ["poisson", "gaussian"]},
            "ml_object_regularisation": {"type": "number", "minimum": 0},
            "output": {"description": "Not accepted: the service chooses the result path.", "type": "null"},
            "resources": {"$ref": "#/components/schemas/Resources"}}},
          "Resources": {"type": "object", "additionalProperties": false,
            "description": "What the job asks for (not part of the CLI's configuration). Unset fields take the operator's defaults; a value above the operator's maximum is a 400 naming the field (`resources.gpus`); a job over its owner's limits on unfinished jobs or GPUs is a 429. The Slurm executor passes them to sbatch.",
            "properties": {"cpus": {"type": "integer", "minimum": 1}, "memory_mb": {"type": "integer", "minimum": 1},
                           "gpus": {"type": "integer", "minimum": 0}, "time_limit_minutes": {"type": "integer", "minimum": 1}}},
          "Job": {"type": "object", "properties": {
            "id": {"type": "string", "format": "uuid"}, "state": {"$ref": "#/components/schemas/State"},
            "message": {"type": ["string", "null"]}, "owner": {"type": "string"},
            "created_at": {"type": "string", "format": "date-time"},
            "started_at": {"type": ["string", "null"], "format": "date-time"},
            "ended_at": {"type": ["string", "null"], "format": "date-time"},
            "progress": {"oneOf": [{"$ref": "#/components/schemas/Progress"}, {"type": "null"}]},
            "exit_code": {"type": ["integer", "null"]}, "attempts": {"type": "integer"},
            "executor": {"type": "object", "properties": {"kind": {"type": "string", "enum": ["local", "slurm"]},
              "pid": {"type": ["integer", "null"]},
              "slurm_job_id": {"type": ["string", "null"], "description": "Slurm executor: the batch job's id"},
              "native_state": {"type": ["string", "null"], "description": "Slurm executor: Slurm's job state, verbatim (PENDING, RUNNING, COMPLETED, TIMEOUT, CANCELLED, …)"},
              "native_reason": {"type": ["string", "null"], "description": "Slurm executor: Slurm's state reason, verbatim (Priority, Resources, TimeLimit, …)"}}},
            "resources": {"$ref": "#/components/schemas/Resources"},
            "configuration": {"$ref": "#/components/schemas/Configuration"}}},
          "JobList": {"type": "object", "properties": {
            "jobs": {"type": "array", "items": {"$ref": "#/components/schemas/Job"}},
            "limit": {"type": "integer"}, "offset": {"type": "integer"}, "next_offset": {"type": ["integer", "null"]}}},
          "InputList": {"type": "object", "properties": {
            "inputs": {"type": "array", "items": {"type": "object", "properties": {
              "path": {"type": "string"}, "size": {"type": "integer"}, "modified": {"type": ["string", "null"], "format": "date-time"}}}},
            "truncated": {"type": "boolean", "description": "The walk stopped early (too many files or folders too deep)"}}},
          "ResultEntry": {"type": "object", "properties": {
            "name": {"type": "string"}, "media_type": {"type": "string"}, "size": {"type": "integer"},
            "sha256": {"type": "string"}, "href": {"type": "string"}}}
        }
      },
      "security": [{"bearer": []}, {"proxyUser": []}],
      "paths": {
        "/": {"get": {"summary": "The web page (no data: the API calls it makes need the credential). With a valid `?token=` it sets the `ptychite_token` cookie and redirects to itself without the token",
                      "security": [], "parameters": [{"name": "token", "in": "query", "schema": {"type": "string"}}],
                      "responses": {"200": {"description": "HTML", "content": {"text/html": {}}},
                                    "303": {"description": "Cookie set; redirect to the page without the token"},
                                    "308": {"description": "Redirect to the base path with its trailing slash"}}}},
        "/ui/app.js": {"get": {"summary": "The web page's script", "security": [],
                               "responses": {"200": {"description": "JavaScript", "content": {"text/javascript": {}}}}}},
        "/ui/app.css": {"get": {"summary": "The web page's style sheet", "security": [],
                                "responses": {"200": {"description": "CSS", "content": {"text/css": {}}}}}},
        "/healthz": {"get": {"summary": "Liveness", "security": [], "responses": {"200": {"description": "OK"}}}},
        "/metrics": {"get": {"summary": "Prometheus metrics: ptychite_jobs{state}, ptychite_queue_length, ptychite_iterations_total, ptychite_iterations_per_second, ptychite_http_request_duration_seconds{method,route,status}", "security": [],
                             "responses": {"200": {"description": "Prometheus text", "content": {"text/plain": {}}}}}},
        "/api/v1/openapi.json": {"get": {"summary": "This document", "security": [],
                                          "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {}}}}}},
        "/api/v1/service-info": {"get": {"summary": "Version, devices (the CPU and every OpenCL device: `kind`, `selector` to pass as the job's `device`, `name`, `platform`, `memory_bytes`), engines, limits, auth mode (`auth_mode`; in oidc mode `oidc: {issuer, audience}`), the caller's user name",
          "responses": {"200": {"description": "Service information", "content": {"application/json": {}}},
                        "401": {"$ref": "#/components/responses/Unauthorized"}}}},
        "/api/v1/inputs": {"get": {"summary": "Files under the data folder a job may name as its input, relative to it (no hidden files, nothing outside it)",
          "responses": {"200": {"description": "The listing", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/InputList"}}}},
                        "401": {"$ref": "#/components/responses/Unauthorized"}}}},
        "/api/v1/jobs": {
          "post": {"summary": "Submit a reconstruction",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Configuration"}}}},
            "responses": {"201": {"description": "Queued; Location names the job",
                                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}},
                          "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Unauthorized"},
                          "403": {"$ref": "#/components/responses/Error"}, "413": {"$ref": "#/components/responses/Error"},
                          "429": {"$ref": "#/components/responses/Error"}}},
          "get": {"summary": "The caller's jobs, newest first",
            "parameters": [{"name": "state", "in": "query", "schema": {"$ref": "#/components/schemas/State"}},
                           {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}},
                           {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}}],
            "responses": {"200": {"description": "A page of jobs", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/JobList"}}}},
                          "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Unauthorized"}}}},
        "/api/v1/jobs/{id}": {
          "parameters": [{"$ref": "#/components/parameters/id"}],
          "get": {"summary": "One job", "responses": {
            "200": {"description": "The job", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}},
            "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/Error"}}},
          "delete": {"summary": "Forget a finished job and its files", "responses": {
            "204": {"description": "Deleted"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/Error"},
            "409": {"$ref": "#/components/responses/Error"}}}},
        "/api/v1/jobs/{id}/cancel": {
          "parameters": [{"$ref": "#/components/parameters/id"}],
          "post": {"summary": "Cancel (idempotent): CANCELING, then CANCELED", "responses": {
            "202": {"description": "Accepted", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}},
            "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/Error"}}}},
        "/api/v1/jobs/{id}/events": {
          "parameters": [{"$ref": "#/components/parameters/id"}],
          "get": {"summary": "Server-Sent Events: state, progress and log, replayed from the start or resumed; ends with the terminal state",
            "description": "Each event's id is a stored event number that increases across connections and restarts. `Last-Event-ID: N` (or `?last_event_id=N`) resumes with exactly the events after N.",
            "parameters": [{"name": "Last-Event-ID", "in": "header", "schema": {"type": "string", "pattern": "^[0-9]*$"}},
                           {"name": "last_event_id", "in": "query", "schema": {"type": "integer", "minimum": 0}}],
            "responses": {
            "200": {"description": "Event stream", "content": {"text/event-stream": {}}},
            "204": {"description": "The job has ended and the client has all its events: do not reconnect"},
            "400": {"$ref": "#/components/responses/Error"},
            "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/Error"}}}},
        "/api/v1/jobs/{id}/results": {
          "parameters": [{"$ref": "#/components/parameters/id"}],
          "get": {"summary": "Manifest of the result files", "responses": {
            "200": {"description": "Files", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/ResultEntry"}}}}},
            "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/Error"}}}},
        "/api/v1/jobs/{id}/results/{name}": {
          "parameters": [{"$ref": "#/components/parameters/id"},
                         {"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}],
          "get": {"summary": "Download a result file (one byte range may be asked for)", "responses": {
            "200": {"description": "The file"}, "206": {"description": "Part of the file"},
            "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/Error"}, "416": {"$ref": "#/components/responses/Error"}}}}
      }
    }
    """#

    static func response() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: json)))
    }
}
