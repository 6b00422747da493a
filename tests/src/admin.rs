//! An administrator talking to the server's API directly (past the proxy), for tests that change
//! assignments or devices while the browsers go on.

use crate::{Browser, Stack, api_session, new_device_id};
use serde_json::{Value, json};

pub struct Admin {
    http: reqwest::Client,
    base: String,
    cookie: String,
}

impl Admin {
    pub async fn sign_in(stack: &Stack) -> Self {
        let base = stack.server.url("");
        let cookie = api_session(&base, "admin", &new_device_id()).await;
        Self {
            http: reqwest::Client::new(),
            base,
            cookie,
        }
    }

    async fn get(&self, path: &str) -> Value {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "GET {path}: {}",
            response.status()
        );
        response.json().await.unwrap()
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Value) {
        let response = self
            .http
            .request(method.clone(), format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        assert!(
            status.is_success(),
            "{method} {path}: {status} {}",
            response.text().await.unwrap_or_default()
        );
    }

    pub async fn person_id(&self, login: &str) -> Value {
        self.get("/api/v1/people")
            .await
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["login"] == login)
            .unwrap_or_else(|| panic!("no person {login}"))["id"]
            .clone()
    }

    /// The id of the client named `name`, from the admin's directory.
    pub async fn client_id(&self, name: &str) -> String {
        self.get("/api/v1/clients")
            .await
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("no client named {name}"))["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn assign(&self, login: &str, client: &str) {
        let person = self.person_id(login).await;
        self.send(
            reqwest::Method::POST,
            "/api/v1/assignments",
            json!({"person": person, "client": client}),
        )
        .await;
    }

    pub async fn unassign(&self, login: &str, client: &str) {
        let person = self.person_id(login).await;
        self.send(
            reqwest::Method::DELETE,
            "/api/v1/assignments",
            json!({"person": person, "client": client}),
        )
        .await;
    }

    pub async fn set_role(&self, login: &str, role: &str) {
        let person = self.person_id(login).await;
        self.send(
            reqwest::Method::PATCH,
            &format!("/api/v1/people/{}", person.as_str().unwrap()),
            json!({ "role": role }),
        )
        .await;
    }

    /// `action`: revoke or retire.
    pub async fn device(&self, device: &str, action: &str) {
        self.send(
            reqwest::Method::POST,
            &format!("/api/v1/devices/{device}/{action}"),
            Value::Null,
        )
        .await;
    }

    pub async fn quarantine(&self) -> Vec<Value> {
        // The newest page (the list is paged; never a value in it).
        self.get("/api/v1/quarantine").await["entries"]
            .as_array()
            .unwrap()
            .clone()
    }

    /// The audit entries about `client`, oldest first.
    pub async fn audit_of(&self, client: &str) -> Vec<Value> {
        let mut entries = self
            .get(&format!("/api/v1/audit?client={client}"))
            .await
            .as_array()
            .unwrap()
            .clone();
        entries.reverse();
        entries
    }

    /// 利用停止 of `client`.
    pub async fn stop_use(&self, client: &str) {
        self.send(
            reqwest::Method::POST,
            &format!("/api/v1/clients/{client}/stop"),
            Value::Null,
        )
        .await;
    }

    /// Everything the server holds about `client` (開示).
    pub async fn disclosure(&self, client: &str) -> Value {
        self.get(&format!("/api/v1/clients/{client}/disclosure"))
            .await
    }
}

/// The device id a browser's app made for itself.
pub async fn device_id(browser: &Browser) -> String {
    browser
        .eval(
            "const v = JSON.parse(localStorage.getItem('yorisoi.device')); \
             return Object.values(v).find(x => x && x.id).id",
            vec![],
        )
        .await
        .as_str()
        .unwrap()
        .to_owned()
}
