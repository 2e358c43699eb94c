"use client";

import { useCallback, useEffect, useState } from "react";

import { api } from "../lib/api.js";

const TOKEN_KEY = "todo.token";
const EXPIRED = "Your session has expired or is invalid. Please log in again.";

export default function Home() {
  const [session, setSession] = useState(null);
  const [notice, setNotice] = useState("");

  // localStorage exists only in the browser, so the token is read after mount.
  useEffect(() => {
    const saved = window.localStorage.getItem(TOKEN_KEY);
    if (saved) setSession(JSON.parse(saved));
  }, []);

  const signIn = (result) => {
    const next = { token: result.access_token, email: result.user.email };
    window.localStorage.setItem(TOKEN_KEY, JSON.stringify(next));
    setNotice("");
    setSession(next);
  };

  const signOut = useCallback((message = "") => {
    window.localStorage.removeItem(TOKEN_KEY);
    setNotice(message);
    setSession(null);
  }, []);

  // Any 401 sends the user back to the login form with a reason.
  const guard = useCallback(
    (error) => {
      if (error.unauthorized) signOut(EXPIRED);
      return error.message;
    },
    [signOut],
  );

  return (
    <main>
      <header>
        <h1>Todo</h1>
        {session && (
          <p>
            Signed in as {session.email}{" "}
            <button type="button" onClick={() => signOut()}>
              Log out
            </button>
          </p>
        )}
      </header>
      {notice && <p className="notice">{notice}</p>}
      {session ? (
        <div className="columns">
          <Tasks token={session.token} guard={guard} />
          <Chat token={session.token} guard={guard} />
        </div>
      ) : (
        <AuthForm onSignedIn={signIn} />
      )}
    </main>
  );
}

function AuthForm({ onSignedIn }) {
  const [mode, setMode] = useState("login");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    setError("");
    try {
      const call = mode === "login" ? api.login : api.register;
      onSignedIn(await call(email, password));
    } catch (err) {
      setError(err.message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section>
      <h2>{mode === "login" ? "Log in" : "Create an account"}</h2>
      <form onSubmit={submit}>
        <input
          type="email"
          placeholder="Email"
          autoComplete="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          required
        />
        <input
          type="password"
          placeholder="Password (8 characters or more)"
          autoComplete={mode === "login" ? "current-password" : "new-password"}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
        />
        <button type="submit" disabled={busy}>
          {mode === "login" ? "Log in" : "Register"}
        </button>
      </form>
      {error && <p className="error">{error}</p>}
      <p>
        {mode === "login" ? "No account yet? " : "Already registered? "}
        <button type="button" onClick={() => setMode(mode === "login" ? "register" : "login")}>
          {mode === "login" ? "Register" : "Log in"}
        </button>
      </p>
    </section>
  );
}

function Tasks({ token, guard }) {
  const [tasks, setTasks] = useState([]);
  const [title, setTitle] = useState("");
  const [error, setError] = useState("");

  const refresh = useCallback(async () => {
    try {
      setTasks(await api.listTasks(token));
      setError("");
    } catch (err) {
      setError(guard(err));
    }
  }, [token, guard]);

  useEffect(() => {
    refresh();
    // The chat changes tasks too; it announces that with this event.
    window.addEventListener("tasks-changed", refresh);
    return () => window.removeEventListener("tasks-changed", refresh);
  }, [refresh]);

  async function run(action) {
    try {
      await action();
      await refresh();
    } catch (err) {
      setError(guard(err));
    }
  }

  return (
    <section>
      <h2>Tasks</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          run(async () => {
            await api.addTask(token, title);
            setTitle("");
          });
        }}
      >
        <input
          type="text"
          placeholder="What needs doing?"
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          required
        />
        <button type="submit">Add</button>
      </form>
      {error && <p className="error">{error}</p>}
      {tasks.length === 0 ? (
        <p>No tasks yet.</p>
      ) : (
        <ul>
          {tasks.map((task) => (
            <li key={task.id}>
              <input
                type="checkbox"
                aria-label={`Mark "${task.title}" as done`}
                checked={task.is_completed}
                onChange={() => run(() => api.setCompleted(token, task.id, !task.is_completed))}
              />
              <span className={task.is_completed ? "title done" : "title"}>{task.title}</span>
              <button type="button" onClick={() => run(() => api.deleteTask(token, task.id))}>
                Delete
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Chat({ token, guard }) {
  const [conversationId, setConversationId] = useState(null);
  const [log, setLog] = useState([]);
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [disabled, setDisabled] = useState(false);

  async function send(event) {
    event.preventDefault();
    const text = message.trim();
    if (!text) return;
    setBusy(true);
    setError("");
    setLog((entries) => [...entries, { role: "you", text }]);
    setMessage("");
    try {
      const result = await api.chat(token, text, conversationId);
      setConversationId(result.conversation_id);
      setLog((entries) => [...entries, { role: "assistant", text: result.reply }]);
      if (result.tool_calls.length > 0) window.dispatchEvent(new Event("tasks-changed"));
    } catch (err) {
      if (err.unavailable) {
        setDisabled(true);
        setError(`The assistant is turned off on this server: ${err.message}`);
      } else {
        setError(guard(err));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <section>
      <h2>Assistant</h2>
      <div className="chat-log" aria-live="polite">
        {log.map((entry, index) => (
          <p key={index}>
            <strong>{entry.role === "you" ? "You" : "Assistant"}:</strong> {entry.text}
          </p>
        ))}
      </div>
      {error && <p className="error">{error}</p>}
      <form onSubmit={send}>
        <input
          type="text"
          placeholder={disabled ? "Chat is off" : "Ask me to add, list, complete or delete tasks"}
          value={message}
          onChange={(e) => setMessage(e.target.value)}
          disabled={disabled || busy}
        />
        <button type="submit" disabled={disabled || busy}>
          {busy ? "Thinking…" : "Send"}
        </button>
      </form>
      {conversationId && (
        <button type="button" onClick={() => { setConversationId(null); setLog([]); }}>
          New conversation
        </button>
      )}
    </section>
  );
}
