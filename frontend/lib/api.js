// The backend API client. NEXT_PUBLIC_API_URL is inlined by `next build`
// (a runtime ConfigMap cannot change it). Unset means the Ingress host
// http://todo.local; set but empty means same-origin requests ("/api/...").
const configured = process.env.NEXT_PUBLIC_API_URL;
export const API_BASE = apiBase(configured);

export function apiBase(value) {
  return (value ?? "http://todo.local").replace(/\/+$/, "");
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }

  get unauthorized() {
    return this.status === 401;
  }

  get unavailable() {
    return this.status === 503;
  }
}

// FastAPI puts the reason in "detail": a string, or a list of validation errors.
function describe(status, body) {
  const detail = body && body.detail;
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail) && detail.length > 0) {
    const first = detail[0];
    const field = Array.isArray(first.loc) ? first.loc[first.loc.length - 1] : "input";
    return `${field}: ${first.msg}`;
  }
  return `Request failed (HTTP ${status})`;
}

export function createApi(base = API_BASE, fetchImpl = globalThis.fetch) {
  async function request(path, { method = "GET", body, token } = {}) {
    const headers = {};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (token) headers.Authorization = `Bearer ${token}`;
    let response;
    try {
      response = await fetchImpl(`${base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, `Cannot reach the server at ${base || "this site"}`);
    }
    if (response.status === 204) return null;
    const data = await response.json().catch(() => null);
    if (!response.ok) throw new ApiError(response.status, describe(response.status, data));
    return data;
  }

  return {
    register: (email, password) =>
      request("/api/auth/register", { method: "POST", body: { email, password } }),
    login: (email, password) =>
      request("/api/auth/login", { method: "POST", body: { email, password } }),
    listTasks: (token) => request("/api/tasks", { token }),
    addTask: (token, title) => request("/api/tasks", { method: "POST", body: { title }, token }),
    setCompleted: (token, id, isCompleted) =>
      request(`/api/tasks/${id}`, { method: "PATCH", body: { is_completed: isCompleted }, token }),
    deleteTask: (token, id) => request(`/api/tasks/${id}`, { method: "DELETE", token }),
    chat: (token, message, conversationId) =>
      request("/api/chat", {
        method: "POST",
        body: { message, conversation_id: conversationId ?? null },
        token,
      }),
  };
}

export const api = createApi();
