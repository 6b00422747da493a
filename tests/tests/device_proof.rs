//! The device secret end to end (issue 19): a real Chromium profile as a tablet signs in, syncs
//! and takes a second person with its secret on every request, and neither the tablet's session
//! cookie taken out of the browser nor its device id is enough for anyone else to act as it.

use yorisoi_e2e::admin::device_id;
use yorisoi_e2e::flows::{new_msfas_for, sync_now, wait_for_client_names};
use yorisoi_e2e::{PASSWORD, Stack};

const Q5: &str = "#q-user1-q5-line0";

/// The status and error code of a plain HTTP answer.
async fn answer(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    (
        status,
        body["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

#[tokio::test]
async fn a_tablet_proves_itself_on_every_request_and_nobody_else_can_act_as_it() {
    let stack = Stack::start().await;
    let tablet = stack.browser_as("coach").await;
    new_msfas_for(&stack, &tablet, "相川 一子").await;
    tablet.type_into(Q5, "相川さんの回答").await;
    sync_now(&tablet).await;
    let sent = stack.server_log().await;
    assert!(
        sent.iter()
            .any(|p| p["change"]["value"]["lines"][0] == "相川さんの回答"),
        "the tablet's edit reached the server"
    );

    // The session cookie, taken out of the browser (HttpOnly is no barrier to someone holding
    // the profile), does not act as the tablet without the tablet's secret.
    let cookies = tablet.client.get_all_cookies().await.unwrap();
    let session = cookies
        .iter()
        .find(|c| c.name().ends_with("yorisoi_session"))
        .expect("a session cookie");
    let http = reqwest::Client::new();
    let stolen = http
        .get(stack.url("/api/v1/session"))
        .header("cookie", format!("{}={}", session.name(), session.value()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        answer(stolen).await,
        (403, "device_proof".to_owned()),
        "the cookie alone"
    );
    // Nor does someone else's right password under the tablet's device id.
    let device = device_id(&tablet).await;
    let claimed = http
        .post(stack.url("/api/v1/session"))
        .json(&serde_json::json!({"login": "coach2", "password": PASSWORD, "device": device}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        answer(claimed).await,
        (403, "device_proof".to_owned()),
        "a sign-in under the tablet's id"
    );

    // A second person signs in on the same browser: the same device, the same secret.
    tablet.goto(&stack.url("/settings")).await;
    tablet.click("[data-testid=sign-out]").await;
    tablet.testid("sign-in-form").await;
    stack.sign_in(&tablet, "coach2").await;
    sync_now(&tablet).await;
    wait_for_client_names(&stack, &tablet, &[]).await;
    assert_eq!(device_id(&tablet).await, device, "still the same device");
    // And the first again, whose client comes back.
    tablet.goto(&stack.url("/settings")).await;
    tablet.click("[data-testid=sign-out]").await;
    tablet.testid("sign-in-form").await;
    stack.sign_in(&tablet, "coach").await;
    sync_now(&tablet).await;
    wait_for_client_names(&stack, &tablet, &["相川 一子"]).await;
}
