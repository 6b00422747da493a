//! Every word the app shows, in Japanese (the default) and English, behind one lookup.
//!
//! Views never hold user-visible string literals: they name a [`Key`] and read it through
//! [`tr`], which follows the current language reactively. Adding a key without both languages
//! does not compile.

pub use crate::settings::Lang;
use leptos::prelude::*;

macro_rules! messages {
    ($($key:ident => $ja:literal, $en:literal;)*) => {
        /// A user-visible text.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Key { $($key),* }

        impl Key {
            pub const ALL: &'static [Key] = &[$(Key::$key),*];
        }

        /// Each key's texts, Japanese then English, in the order the keys are declared: one
        /// table read by index (a `match` over every key and language compiled to about 6 KB
        /// more code).
        const TEXTS: &[[&str; 2]] = &[$([$ja, $en]),*];

        /// The text of `key` in `lang`.
        pub fn text(lang: Lang, key: Key) -> &'static str {
            TEXTS[key as usize][match lang {
                Lang::Ja => 0,
                Lang::En => 1,
            }]
        }
    };
}

messages! {
    AppName => "寄り添い", "Yorisoi";
    SkipToContent => "本文へ移動", "Skip to main content";
    NavLabel => "メインメニュー", "Main menu";
    NavClients => "利用者", "Clients";
    NavSync => "同期", "Sync";
    NavSettings => "設定", "Settings";
    SwitchLanguageLabel => "表示言語を英語に切り替える（Switch to English）", "Switch the display language to Japanese (日本語に切り替える)";
    ClientsTitle => "利用者一覧", "Clients";
    ClientsEmpty => "まだ利用者が登録されていません。", "No clients yet.";
    ClientTitle => "利用者の記録", "Client records";
    AssessmentTitle => "M-ストレス・疲労アセスメントシート（MSFAS）", "MSFAS stress and fatigue self-assessment";
    VisitNoteTitle => "訪問記録", "Visit note";
    RecordNotFound => "この記録はこの端末にありません。", "This record is not on this device.";
    BackToClients => "利用者一覧へ戻る", "Back to the client list";
    BackToRecord => "記録に戻る", "Back to the record";
    SyncTitle => "同期", "Sync";
    SyncIntro => "記録はまずこの端末に保存されます。ネットワークがなくても、入力したものは消えません。", "Records are saved on this device first. Nothing you enter is lost without a network.";
    SettingsTitle => "設定", "Settings";
    Loading => "読み込み中…", "Loading…";
    SyncStatusLabel => "同期の状態", "Sync status";
    SyncUnsent => "{n}件の変更が未送信", "{n} changes not sent yet";
    SyncAllSent => "すべて送信済み", "Everything sent";
    SyncLast => "最終同期 {n}", "Last synced {n}";
    SyncNever => "まだ同期していません", "Not synced yet";
    SyncRunning => "同期中…", "Syncing…";
    SyncNow => "今すぐ同期", "Sync now";
    SyncProgress => "受信中：{n}", "Receiving: {n}";
    SyncProgressLabel => "受信の進み具合", "Receiving progress";
    SyncErrOffline => "サーバーにつながりません。入力は端末に保存されています。つながると自動で送ります。", "Cannot reach the server. Your entries are saved on this device and will be sent automatically when it is reachable.";
    SyncErrStalled => "サーバーの応答が止まりました。少し待って、もう一度試します。", "The server stopped answering. Trying again shortly.";
    SyncErrUpdate => "アプリの更新が必要です。画面を再読み込みしてください。", "This app must be updated. Please reload the page.";
    SyncErrRefused => "サーバーが受け付けませんでした：{n}", "The server refused the request: {n}";
    SyncErrSetAsideFull => "この端末の保留中の変更が多すぎるため、送信を止めています。変更はこの端末に残っています。管理者に確認を頼んでください。", "This device has too many changes set aside, so sending has stopped. The changes are kept on this device. Ask an administrator to review them.";
    SyncErrServer => "サーバーで問題が起きました。自動でもう一度試します：{n}", "Something went wrong on the server. Trying again automatically: {n}";
    SyncErrStorage => "受け取ったデータをこの端末に保存できませんでした。空き容量を確認してください。", "What was received could not be saved on this device. Please check its free space.";
    SyncReviewTitle => "確認が必要な記録", "Records that need review";
    SyncReviewNone => "確認が必要な記録はありません。", "No records need review.";
    SyncRefused => "{n}件の変更を送信できませんでした", "{n} changes could not be sent";
    SyncRefusedTitle => "送信できなかった変更", "Changes that could not be sent";
    SyncRefusedIntro => "サーバーが受け取りを保留した変更です。消えてはいません。サーバーに理由と一緒に保管され、管理者が確認して受け入れるか取り消します。", "The server set these changes aside. They are not lost: the server keeps them with the reason, and an administrator will accept or discard them.";
    RefusedWrongClient => "送信できませんでした：この記録は別の利用者のものです。", "Not sent: this entry belongs to another client.";
    RefusedUnknownField => "送信できませんでした：この項目はサーバーの様式にありません。", "Not sent: the server's form has no such item.";
    RefusedBadValue => "送信できませんでした：値が様式に合いません（{n}）。", "Not sent: the value does not fit the form ({n}).";
    RefusedUnknownInstrument => "送信できませんでした：サーバーがこの様式の版を知りません。アプリかサーバーの更新が必要です。", "Not sent: the server does not know this version of the form. The app or the server needs updating.";
    RefusedNoInstrument => "送信できませんでした：この記録の様式がまだサーバーに届いていません。", "Not sent: the server has not yet received which form this record uses.";
    AuditHeading => "アクセスの記録", "Access record";
    AuditIntro => "誰が、いつ、どの利用者の情報に触れたか（サインイン、端末への送信、記録を開く・印刷・書き出し、本人入力、利用停止・消去など）を、利用者ごと・職員ごと・期間で確認できます。記録には識別番号と操作だけが残り、回答や名前の内容は残りません。", "Who touched whose information and when (sign-ins, data sent to devices, records opened, printed or exported, client mode, stop use and erase), by client, by staff member and by period. The record keeps ids and actions only, never answers or names.";
    AuditPerson => "職員", "Staff member";
    AuditFrom => "期間（から）", "From";
    AuditTo => "期間（まで）", "Until";
    AuditShow => "表示する", "Show";
    AuditCheck => "改ざんがないか検査する", "Check it was not altered";
    AuditWhole => "記録は完全です（{n}件、改ざんや削除はありません）。", "The record is whole ({n} entries, nothing altered or removed).";
    AuditBroken => "記録が改ざんされています：{n}", "The record was tampered with: {n}";
    AuditNone => "この条件の記録はありません。", "Nothing recorded for this choice.";
    AuditAt => "記録日時", "Recorded at";
    AuditDeviceAt => "端末の時刻", "Device time";
    AuditAction => "操作", "Action";
    AuditDevice => "端末", "Device";
    AuditDetail => "詳細", "Detail";
    AuditSignIn => "サインイン", "Signed in";
    AuditSignInFailed => "サインイン失敗", "Sign-in failed";
    AuditLockedOut => "アカウントのロック", "Account locked";
    AuditSignOut => "サインアウト", "Signed out";
    AuditPersonAdded => "職員の追加", "Person added";
    AuditAccountChanged => "アカウントの変更", "Account changed";
    AuditEnrolled => "端末の登録", "Device enrolled";
    AuditDeviceRevoked => "端末の無効化", "Device revoked";
    AuditDeviceRetired => "端末の返却", "Device retired";
    AuditRoleChanged => "役割の変更", "Role changed";
    AuditAssignmentChanged => "担当の変更", "Assignment changed";
    AuditConsentChanged => "同意の記録・撤回", "Consent recorded or withdrawn";
    AuditQuarantineDecided => "保留された変更の判断", "Set-aside change decided";
    AuditUseStopped => "利用停止", "Use stopped";
    AuditErased => "消去", "Erased";
    AuditExported => "書き出し", "Exported";
    AuditPrinted => "印刷", "Printed";
    AuditDelivered => "端末への送信", "Sent to a device";
    AuditRecordOpened => "記録を開いた", "Record opened";
    AuditClientModeStarted => "本人入力の開始", "Client mode started";
    AuditClientModeEnded => "本人入力の終了", "Client mode ended";
    AuditSetAsideViewed => "保留中の変更の閲覧", "Set-aside change viewed";
    StopHeading => "利用停止・消去・開示", "Stop use, erase, disclose";
    StopIntro => "利用停止にすると、この利用者の情報はすべての端末から（未送信の変更を送ってから）消え、誰の端末にも送られなくなります。情報はサーバーに保存期間のあいだ保管されます。消去は利用停止のあとだけでき、利用者の名前をもう一度入力して確定します。消去した情報は元に戻せません。", "Stopping use removes this client from every device (after each sends what it has unsent) and sends it to no device again; the server keeps the data for the retention period. Erasing is possible only after stopping use, and is confirmed by typing the client's name again. Erased data cannot be brought back.";
    InUse => "利用中", "In use";
    StoppedUntil => "利用停止中（{n} まで保管）", "Use stopped (kept until {n})";
    StopButton => "利用停止にする", "Stop use";
    StopConfirm => "この利用者の情報の利用を停止します。すべての端末から削除されます（未送信の変更は先に送られます）。よろしいですか？", "Stop using this client's data? It will be deleted from every device (after unsent changes are sent).";
    EraseTypeName => "消去するには利用者の名前を入力してください", "To erase, type the client's name";
    EraseButton => "消去する（元に戻せません）", "Erase (cannot be undone)";
    ErasedHeading => "消去済みの利用者（識別番号のみ）", "Erased clients (ids only)";
    DisclosureLink => "開示（すべての情報）", "Disclose (everything held)";
    DisclosureTitle => "保有個人データの開示", "Disclosure of the data held";
    DisclosureSave => "JSON で保存", "Save as JSON";
    DisclosureMadeAt => "作成日時：{n}", "Made at {n}";
    DisclosureProfile => "基本情報", "Profile";
    DisclosureRecords => "記録", "Records";
    DisclosureHistory => "変更の履歴", "History of changes";
    BlockNoSupportConsent => "支援のための利用への同意が、まだここに記録されていません。MSFAS は表紙の同意日がないと完了できません。", "No consent to use the records for support is recorded here yet. An MSFAS cannot be completed without the consent date on its cover.";
    BlockSupportWithdrawn => "この利用者は、支援のための記録の利用への同意を撤回しました。新しい記録を完了することはできません。管理者に利用停止を依頼してください。", "This client withdrew the consent to use their records for support. No record can be completed. Ask an administrator to stop use (利用停止).";
    BlockNoEmployerSharing => "雇用先に記録を渡すことはできません（同意がありません）。", "Records may not be shared with the employer (no consent).";
    BlockNoAgencySharing => "ハローワークなどの関係機関に記録を渡すことはできません（同意がありません）。", "Records may not be shared with other agencies such as Hello Work (no consent).";
    ConsentGivenOn => "同意日", "Consent date";
    ConsentMethod => "同意の方法", "How it was given";
    ConsentRecord => "同意を記録する", "Record the consent";
    ConsentWithdraw => "撤回を記録する", "Record the withdrawal";
    ConsentCover => "MSFAS 表紙の同意日", "Consent date on an MSFAS cover";
    ConsentHeading => "同意", "Consent";
    ConsentSupport => "支援のための利用（MSFAS・訪問記録）", "Use for support (MSFAS, visit records)";
    ConsentEmployer => "雇用先への提供", "Sharing with the employer";
    ConsentAgencies => "関係機関への提供（ハローワーク、区市町村障害者就労支援センターなど）", "Sharing with other agencies (Hello Work, municipal employment support centres)";
    ConsentNone => "記録なし", "Not recorded";
    ConsentPaper => "書面", "on paper";
    ConsentTablet => "タブレット", "on the tablet";
    ConsentRecordedBy => "記録：", "recorded by";
    ConsentWithdrawnOn => "撤回日", "withdrawn on";
    RefusedUseStopped => "保存されませんでした：この利用者の情報の利用は管理者によって停止されました（利用停止）。変更はサーバーに保管され、管理者が確認します。", "Not stored: an administrator stopped the use of this client's data (利用停止). The change is kept on the server for an administrator to review.";
    RefusedErased => "保存されませんでした：この利用者の情報は管理者によって消去されました。変更の内容はサーバーに残っていません。", "Not stored: an administrator erased this client's data. Nothing of what the change said is kept on the server.";
    RefusedNotInScope => "送信できませんでした：この利用者の担当ではなくなりました。変更はサーバーに保管され、管理者が確認します。", "Not sent: you are no longer assigned to this client. The change is kept on the server for an administrator to review.";
    RefusedClientGone => "この端末にはもうない利用者", "A client no longer on this device";
    RefusedRecord => "記録", "A record";
    RefusedRecordStarted => "記録の作成", "Starting the record";
    RefusedAnswer => "回答", "An answer";
    RefusedValueUnshown => "（ここには表示できない内容）", "(something that cannot be shown here)";
    SyncErrSignedOut => "サインインが必要です。入力はこの端末に保存されています。", "Please sign in. Your entries are saved on this device.";
    SyncErrRetired => "この端末は返却扱いになりました。未送信の変更を送り終えると、端末のデータを削除します。", "This device was retired. Once its unsent changes are sent, its data is deleted.";
    PinSetIntro => "本人入力モードを終えるときに使う暗証番号を決めてください（数字4〜8桁）。この端末だけに保存されます。", "Choose the PIN that ends client mode (4 to 8 digits). It is kept on this device only.";
    PinLabel => "暗証番号", "PIN";
    PinAgainLabel => "暗証番号（もう一度）", "PIN (again)";
    PinStart => "決めて本人入力を始める", "Set it and start client mode";
    PinMalformed => "暗証番号は数字4〜8桁です。", "A PIN is 4 to 8 digits.";
    PinMismatch => "2回の入力が違います。", "The two entries differ.";
    PinWrong => "暗証番号が違います。", "Wrong PIN.";
    PinWait => "何度も違ったため、{n}秒待ってから入力してください。", "Too many wrong tries: wait {n} seconds.";
    PinNoRandom => "このブラウザでは暗証番号を安全に作れません。", "This browser cannot make a PIN safely.";
    LeaveClientMode => "支援者に戻る", "Back to supporter";
    LeaveClientModeButton => "暗証番号で戻る", "Unlock with the PIN";
    EnrolTitle => "端末の登録", "Enrol this device";
    EnrolIntro => "新しいタブレットを登録するには、名前を付けてコードを作り、そのタブレットでQRコードを読み取るかリンクを開きます。コードは15分間、1回だけ使えます。職員がタブレットでサインインしても登録されます。", "To enrol a new tablet, name it and make a code, then scan the QR code or open the link on that tablet. The code works once, for 15 minutes. A staff member signing in on a tablet also enrols it.";
    DeviceNameLabel => "端末の名前", "Device name";
    EnrolMake => "登録コードを作る", "Make an enrolment code";
    EnrolQrAlt => "この端末を登録するためのQRコード", "QR code to enrol the device";
    EnrolExpires => "有効期限：{n}", "Valid until: {n}";
    EnrolDone => "この端末を「{n}」として登録しました。続けてサインインしてください。", "This device is enrolled as “{n}”. Now sign in.";
    EnrolInvalid => "この登録コードは使えません（使用済みか、15分を過ぎています）。管理者に新しいコードを頼んでください。", "This enrolment code cannot be used (used already, or older than 15 minutes). Ask an administrator for a new one.";
    NavAdmin => "管理", "Administration";
    SignInTitle => "サインイン", "Sign in";
    SignInIntro => "職員のログインIDとパスワードでサインインしてください。", "Sign in with your staff login and password.";
    SignInExpired => "オフラインで使える期間が終わりました。ネットワークにつないで、もう一度サインインしてください。この端末のデータは消えていません。", "The time this device may work offline has run out. Connect to the network and sign in again. Nothing on this device was deleted.";
    SignInEnded => "サーバーでサインインが終わりました（別の場所でのサインアウト、パスワードの変更など）。もう一度サインインしてください。この端末のデータは消えていません。", "The server ended your session (signed out elsewhere, a new password, …). Please sign in again. Nothing on this device was deleted.";
    LoginLabel => "ログインID", "Login";
    PasswordLabel => "パスワード", "Password";
    SignInButton => "サインイン", "Sign in";
    SignInFailed => "ログインIDかパスワードが違います。続けて5回間違えると15分間使えなくなります。", "The login or the password is wrong. After 5 failures in a row the account is locked for 15 minutes.";
    SignInOffline => "サーバーにつながりません。サインインにはネットワークが必要です。", "Cannot reach the server. Signing in needs the network.";
    SignInTooMany => "試した回数が多すぎます。1分ほど待ってから、もう一度お試しください。", "Too many attempts. Please wait a minute and try again.";
    SignInRevoked => "この端末は管理者によって使用停止になりました。", "An administrator has revoked this device.";
    SignInDeviceProof => "この端末であることを確かめられませんでした。アプリを再読み込みしてください。続く場合は管理者に連絡してください。", "This tablet could not be confirmed as itself. Reload the app; if it goes on, contact your administrator.";
    SignInBusy => "確認しています…", "Checking…";
    UnlockTitle => "ロックの解除", "Unlock";
    UnlockIntro => "{n} さん、この端末の利用者のデータは暗号化されています。パスワードを入力して開いてください（ネットワークは不要です）。", "{n}, the clients' data on this device is encrypted. Type your password to open it (no network needed).";
    UnlockButton => "ロックを解除", "Unlock";
    UnlockWrong => "パスワードが違います。最近パスワードを変えた場合は、この端末で使っていた前のパスワードをお試しください。", "The password is wrong. If you changed it recently, try the one you used on this device before.";
    UnlockNeedsServer => "この端末では初めてのロック解除です。パスワードを確かめるため、一度ネットワークにつないでください。", "This is the first unlock on this device: connect to the network once so your password can be checked.";
    UnlockOtherAccount => "別の方としてサインイン", "Sign in as someone else";
    StaleIntro => "この端末のデータは、前のパスワードで保護されています。この端末で使っていた前のパスワードを入力してください。", "The data on this device is protected with your previous password. Type the password you used on this device before.";
    StalePasswordLabel => "前のパスワード", "Previous password";
    StaleStartOver => "前のパスワードがわからない：この端末のデータを消して始める", "I don't know the previous password: delete this device's data and start again";
    StaleStartOverWarning => "この端末にある、あなたの未送信の変更 {n} 件も消えます。サーバーにあるデータは、このあと受信し直します。", "Your {n} unsent changes on this device are deleted too. What the server holds is received again afterwards.";
    IdleTitle => "画面のロック", "Screen locked";
    IdleIntro => "しばらく操作がなかったため、画面をロックしました。", "The screen was locked after a while without use.";
    IdlePinLabel => "PIN（暗証番号）", "PIN";
    IdlePinWrong => "PINが違います。3回間違えると、パスワードが必要になります。", "Wrong PIN. After 3 wrong PINs the password is needed.";
    IdleUsePassword => "パスワードで解除する", "Unlock with the password";
    IdleMinutesLabel => "操作がないとき、画面をロックするまでの時間（分）", "Lock the screen after this many minutes without use";
    SignOut => "サインアウト", "Sign out";
    SignedInAs => "サインイン中：{n}", "Signed in: {n}";
    RoleAdmin => "管理者", "Administrator";
    RoleCoach => "ジョブコーチ", "Job coach";
    RoleOffice => "事務・サービス管理責任者", "Office";
    SetupTitle => "最初の管理者を作る", "Set up the first administrator";
    SetupIntro => "サーバーが表示したリンクから開いています。この事業所の最初の管理者のアカウントを作ります。このリンクは一度だけ使えます。", "You opened the link the server printed. Create this agency's first administrator account. The link works once.";
    NameLabel => "氏名", "Name";
    NewPasswordLabel => "新しいパスワード（10文字以上）", "New password (at least 10 characters)";
    SetupButton => "管理者を作る", "Create the administrator";
    SetupInvalid => "このリンクは使えません。使用済みか、サーバーの再起動で新しいリンクが表示されています。", "This link cannot be used: it was used already, or the server printed a new one when it restarted.";
    PasswordTitle => "パスワードの変更", "Change password";
    CurrentPasswordLabel => "今のパスワード", "Current password";
    PasswordChangeButton => "変更する", "Change";
    PasswordChanged => "パスワードを変更しました。ほかの端末では、もう一度サインインが必要です。", "Your password was changed. Other devices will ask you to sign in again.";
    AccountHeading => "アカウント", "Account";
    DeviceHeading => "この端末", "This device";
    DeviceNameIs => "この端末の名前：{n}", "This device: {n}";
    AssignedClients => "担当：{n}", "Serves: {n}";
    NoClients => "担当の利用者はまだいません", "No clients assigned yet";
    DeviceIdLabel => "端末ID：{n}", "Device id: {n}";
    OfflineUntil => "オフラインで使える期限：{n}", "Works offline until: {n}";
    AdminTitle => "管理", "Administration";
    AdminPeople => "職員", "People";
    AdminAddPerson => "職員を追加", "Add a person";
    RoleLabel => "役割", "Role";
    AddButton => "追加する", "Add";
    Disable => "無効にする", "Disable";
    Enable => "有効にする", "Enable";
    DisabledMark => "（無効）", "(disabled)";
    LockedMark => "（ロック中）", "(locked)";
    ResetPassword => "パスワードを再設定", "Reset password";
    AdminAssignments => "担当の割り当て", "Assignments";
    ClientLabel => "利用者", "Client";
    CoachLabel => "ジョブコーチ", "Job coach";
    AssignButton => "割り当てる", "Assign";
    Unassign => "担当を外す", "Unassign";
    NobodyAssigned => "担当者なし", "Nobody assigned";
    AdminDevices => "端末", "Devices";
    Revoke => "使用停止（紛失・盗難）", "Revoke (lost or stolen)";
    Retire => "返却（送信してから削除）", "Retire (send, then delete)";
    LastSeen => "最終接続：{n}", "Last seen: {n}";
    LastUsedBy => "最後に使った人：{n}", "Last used by: {n}";
    DeviceActive => "使用中", "In use";
    DeviceRevokedMark => "使用停止", "Revoked";
    DeviceRetiredMark => "返却済み", "Retired";
    AdminQuarantine => "保留中の変更", "Changes set aside";
    QuarantineEmpty => "保留中の変更はありません。", "No changes are set aside.";
    QuarantineIntro => "内容は表示しません。内容を見られるのは、その利用者を担当する人と事務だけです（見たことは記録されます）。", "The contents are not shown here. Only the client's coach and the office can see them (and each view is recorded).";
    QuarantineUndecided => "未決定：{n}件", "Undecided: {n}";
    QuarantineNameless => "名前のない利用者", "A client with no name";
    QuarantineBy => "送信者：{n}", "Sent by: {n}";
    QuarantineMore => "さらに読み込む", "Load more";
    Accept => "受け入れる", "Accept";
    Discard => "取り消す", "Discard";
    AcceptedMark => "受け入れ済み", "Accepted";
    DiscardedMark => "取り消し済み", "Discarded";
    AdminDone => "保存しました。", "Saved.";
    AdminFailed => "できませんでした：{n}", "Could not do it: {n}";
    AdminOffline => "管理の操作にはネットワークが必要です。", "Administration needs the network.";
    RefusedInstrumentChanged => "送信できませんでした：記録の様式は後から変えられません。", "Not sent: a record's form cannot be changed afterwards.";
    NeedsReview => "要確認", "Needs review";
    ConflictTitle => "2人の変更が食い違っています", "Two people changed the same answer";
    ConflictIntro => "オフラインの間に、同じ項目が別々に変更されました。どちらも残してあります。正しい方を選ぶか、下の入力欄で書き直してください。", "While offline, the same item was changed in two places. Both are kept. Choose the right one, or write it again in the field below.";
    ConflictPick => "これにする", "Use this";
    ConflictValue => "変更 {n}", "Change {n}";
    ConflictEmpty => "（空欄）", "(empty)";
    ConflictMerged => "まとめて書く", "Write a merged answer";
    ConflictSaveMerged => "この内容にする", "Use this text";
    HistoryLink => "変更の履歴", "Change history";
    HistoryTitle => "変更の履歴", "Change history";
    HistoryEmpty => "まだ変更はありません。", "No changes yet.";
    HistoryFetching => "サーバーから以前の履歴を読み込んでいます…", "Loading earlier history from the server…";
    HistoryOffline => "サーバーにつながらないため、この端末にある履歴だけを表示しています。つながると以前の履歴も表示されます。", "The server cannot be reached, so only the history on this device is shown. Earlier history appears once it can be reached.";
    HistoryWhen => "日時", "When";
    HistoryWho => "端末", "Device";
    HistoryItem => "項目", "Item";
    HistoryBefore => "変更前", "Before";
    HistoryAfter => "変更後", "After";
    HistoryThisDevice => "この端末", "This device";
    HistoryOtherDevice => "別の端末 {n}", "Another device {n}";
    HistoryUnsent => "未送信", "Not sent";
    FieldStatus => "記入の状態", "Status";
    FieldOther => "その他の項目", "Other item";
    LanguageHeading => "表示言語", "Language";
    LanguageCurrent => "現在の表示言語：日本語", "Current language: English";
    StorageHeading => "この端末の保存領域", "Storage on this device";
    StoragePersisted => "保護されています。ブラウザが自動で消すことはありません。", "Protected: the browser will not clear it on its own.";
    StorageNotPersisted => "保護されていません。空き容量が足りなくなると、ブラウザが消すことがあります。ホーム画面に追加すると保護されやすくなります。", "Not protected: the browser may clear it when space runs low. Adding the app to the home screen helps.";
    StorageUsage => "使用量", "Used";
    StorageOf => "／ 上限", "of";
    StorageUnknown => "このブラウザでは確認できません。", "This browser cannot tell.";
    StorageChecking => "確認しています…", "Checking…";
    VersionLabel => "バージョン", "Version";
    UpdateAvailable => "新しいバージョンがあります。", "A new version is available.";
    UpdateReload => "再読み込みして更新", "Reload to update";
    NotFoundTitle => "ページが見つかりません", "Page not found";
    ClientsSearch => "名前・ふりがなで探す", "Search by name or reading";
    ClientsNew => "新しい利用者を登録", "Add a client";
    ClientsNoMatch => "見つかりませんでした。", "No client matches.";
    UnnamedClient => "（名前未入力）", "(no name yet)";
    ProfileHeading => "基本情報", "Profile";
    FieldName => "名前", "Name";
    FieldKana => "ふりがな", "Reading (kana)";
    FieldBirthDate => "生年月日", "Date of birth";
    FieldWorkplace => "勤務先", "Workplace";
    FieldNotes => "メモ", "Notes";
    TimelineHeading => "これまでの記録", "Records";
    TimelineEmpty => "まだ記録がありません。", "No records yet.";
    NewAssessment => "MSFASを始める", "Start an MSFAS";
    NewVisitNote => "訪問記録を書く", "Write a visit note";
    StatusDraft => "下書き", "Draft";
    StatusComplete => "完了", "Complete";
    ModeSupporter => "一覧で入力（支援者向け）", "Whole sheet (supporter)";
    ModeClient => "1問ずつ入力（本人向け）", "One question at a time (client)";
    Furigana => "ふりがなを表示", "Show furigana";
    AnsweredBy => "記入した人", "Who answered";
    AnsweredPerson => "本人", "The person";
    AnsweredWithSupporter => "本人（支援者と一緒に）", "The person, with a supporter";
    AnsweredInterview => "支援者（聞き取り）", "A supporter, from an interview";
    MarkComplete => "完了にする", "Mark complete";
    BackToDraft => "下書きに戻す", "Back to draft";
    CannotComplete => "まだ完了にできません：", "Not ready to mark complete:";
    ProblemConsent => "同意した日を入力してください。", "Enter the date of consent.";
    ProblemAnsweredBy => "記入した人を選んでください。", "Choose who answered.";
    ProblemAnswer => "この回答を確認してください：", "Check this answer:";
    SaveIdle => "入力すると自動で保存します", "Changes are saved as you type";
    Saved => "保存しました", "Saved";
    SaveFailedQuota => "保存できません：この端末の保存領域がいっぱいです。入力は画面に残っています。空きができると自動で保存します。", "Not saved: this device's storage is full. What you entered stays on screen and is saved as soon as there is room.";
    SaveFailedOther => "保存できません：ブラウザが保存を許可していません。入力は画面に残っています。", "Not saved: the browser does not allow saving. What you entered stays on screen.";
    Other => "その他", "Other";
    OtherWords => "その他の内容", "Other, in your own words";
    Example => "例", "Example";
    Line => "行", "Line";
    Next => "次へ", "Next";
    Previous => "前へ", "Back";
    ClientModeDone => "これでおわりです。ありがとうございました。いつでも前にもどって直せます。", "That is all. Thank you. You can go back and change any answer.";
    Print => "印刷する", "Print";
    PrintView => "印刷用の表示", "Print view";
    Compare => "前回と比べる", "Compare with an earlier one";
    CompareTitle => "記録を比べる", "Compare two records";
    CompareNeedTwo => "比べるには、この利用者の同じ様式の記録が2つ以上必要です。", "Comparing needs two or more records of one form for this client.";
    CompareChanged => "変更あり", "Changed";
    Earlier => "前", "Earlier";
    Later => "後", "Later";
    NotAnswered => "（未記入）", "(not answered)";
    ExportJson => "JSONで書き出す", "Export JSON";
    ExportCsv => "CSV（Excel用）で書き出す", "Export CSV (for Excel)";
    ImportJson => "JSONを読み込む", "Import JSON";
    ImportDone => "読み込みました。", "Imported.";
    ImportFailed => "読み込めませんでした：", "Could not import:";
    SetAsideNotice => "読み込めない記録があります。データは消さずに、そのまま残しています：", "Some records could not be read. They are kept untouched:";
    Created => "作成", "Created";
    // instr: instrument versions (issue 22)
    AuditInstrumentUploaded => "様式の下書きの登録", "Form draft uploaded";
    AuditInstrumentPublished => "様式の版の公開", "Form version published";
    AuditInstrumentRetired => "様式の版の利用終了", "Form version retired";
    AuditInstrumentDiscarded => "様式の下書きの破棄", "Form draft discarded";
    RefusedUnpublishedInstrument => "送信できませんでした：この様式の版はサーバーでまだ下書きで、公開されていません。管理者に公開を頼んでください。", "Not sent: this version of the form is still a draft on the server, not published. Ask the administrator to publish it.";
    NavForms => "様式", "Forms";
    FormsTitle => "様式の公開", "Publishing forms";
    FormsIntro => "事業所の様式（またはその新しい版）の定義（JSON）を貼り付けて確認します。前の公開版から何が変わったかを確かめてから公開してください。公開した版は変更できません。", "Paste the definition (JSON) of your agency's form, or of a new version of it, and check it. Read what changed since the last published version, then publish. A published version never changes.";
    FormsDefinition => "様式の定義（JSON）", "Form definition (JSON)";
    FormsCheck => "確認する（下書きとして保存）", "Check (save as a draft)";
    FormsChanges => "変更点", "What changed";
    FormsFirstVersion => "この様式の最初の版です。", "This is the form's first version.";
    FormsComparedWith => "比べた版：", "Compared with:";
    FormsCannotPublish => "このままでは公開できません。次の点を直してください：", "This version cannot be published as it is. Change the following:";
    FormsPublish => "この版を公開する", "Publish this version";
    FormsVersions => "様式の版", "Form versions";
    FormsForm => "様式", "Form";
    FormsVersion => "版", "Version";
    FormsState => "状態", "State";
    FormsActions => "操作", "Actions";
    FormsShow => "内容を見る", "Show";
    FormsRetire => "利用を終える", "Retire";
    FormsDiscard => "下書きを破棄", "Discard draft";
    FormsDevices => "端末が持っている版", "Versions each device holds";
    FormsDevice => "端末", "Device";
    FormsHeld => "持っている版", "Versions held";
    FormsReported => "報告日時", "Reported";
    FormStatusDraft => "下書き", "Draft";
    FormStatusPublished => "公開中", "Published";
    FormStatusRetired => "利用終了", "Retired";
    NewPublishedForm => "新しい「{n}」", "New {n}";
    AuditRecordVersionMoved => "下書きを新しい版に移した", "Draft moved to a newer version";
    MoveVersionNotice => "この様式には新しい版（第{n}版）があります。この下書きは始めたときの版のままです。", "This form has a newer version ({n}). This draft stays on the version it was started with.";
    MoveVersionButton => "この下書きを新しい版に移す", "Move this draft to the new version";
    MoveVersionProblems => "次の回答を直すまで移せません：", "It cannot move until these answers are changed:";
    MoveVersionDone => "新しい版に移しました。", "Moved to the new version.";
    // support1: due list, plan editor, monthly report, activity counts (issue 21)
    DueHeading => "今日・今週の予定", "Due today and this week";
    DueNone => "今日・今週の予定はありません。", "Nothing is due today or this week.";
    DueOverdue => "{n}日遅れ", "{n} days overdue";
    DueToday => "今日", "Today";
    DueThisWeek => "今週", "This week";
    DueNextVisit => "次回訪問日 {n}", "Next visit {n}";
    DueNextVisitConflict => "次回訪問日が端末によって違います（{n}）。記録で確かめてください", "The next visit differs between devices ({n}): check the note";
    DueMonthlyNotYet => "今月はまだ対面で会っていません（{n}回）", "Not met face to face yet this month ({n})";
    DueMonthlyUncertain => "今月の対面が確かめられません（{n}回）。食い違っている記録を確かめてください", "Face to face this month is uncertain ({n}): review the notes that differ";
    DueMonthlyMet => "今月の対面：済み（{n}回）", "Met face to face this month ({n})";
    DueMonthEnd => "月末まであと{n}日", "{n} days to the end of the month";
    DuePlannedWeek => "計画の訪問：今週 {n}回", "Planned visits this week: {n}";
    DuePlannedMonth => "計画の訪問：今月 {n}回", "Planned visits this month: {n}";
    DueNoteConflict => "日付か方法が端末によって違う訪問記録があります（要確認）", "A visit note's date or mode differs between devices (needs review)";
    DuePlanConflict => "支援計画に端末によって違う項目があります（要確認）", "Parts of the support plan differ between devices (needs review)";
    DueLastContact => "最後の連絡 {n}", "Last contact {n}";
    DueCoachFilter => "ジョブコーチで絞り込む", "Show one job coach";
    DueAllCoaches => "すべてのジョブコーチ", "Every job coach";
    DueNoCoach => "（訪問記録に名前なし）", "(not named in a visit note)";
    DueCoachHow => "ジョブコーチは、いちばん新しい訪問記録の「ジョブコーチ・同行者」欄の最初の名前です。", "The job coach is the first name in the newest visit note's \"Job coach(es)\" field.";
    PlanHeading => "支援計画", "Support plan";
    PlanPhase => "支援の段階", "Phase of support";
    PlanNotSet => "決めていない", "Not set";
    PhaseIntensive => "集中支援期", "Intensive support";
    PhaseTransition => "移行支援期", "Transition (fading)";
    PhaseFollowUp => "フォローアップ", "Follow-up";
    PlanFaceToFace => "毎月必要な対面の回数（訪問・来所）", "Face-to-face contacts needed each month (visit or at the office)";
    PlanVisits => "計画の訪問回数", "Planned visits";
    PlanPerWeek => "週に", "a week";
    PlanPerMonth => "月に", "a month";
    PlanStart => "開始日", "Start";
    PlanEnd => "終了日", "End";
    PlanEmptyMeans => "空欄は「決めていない」という意味です。変えるとすぐに保存されます。", "Empty means not set. Changes are saved at once.";
    PlanBadFaceToFace => "対面の回数は1〜31で入れてください。", "Enter face-to-face contacts from 1 to 31.";
    PlanBadVisits => "訪問回数は週に1〜7回、月に1〜31回で入れてください。", "Enter planned visits from 1 to 7 a week, or 1 to 31 a month.";
    PlanEndBeforeStart => "終了日が開始日より前です。確かめてください。", "The end is before the start. Please check.";
    PlanInConflict => "端末によって違う値になっている項目があります。上の「要確認」で選んでください：", "Some parts differ between devices. Choose one above under Needs review:";
    ReportLink => "支援レポート（月ごと）", "Monthly support report";
    ReportTitle => "支援レポート", "Monthly support report";
    ReportMonthLabel => "対象月", "Month";
    ReportPrevMonth => "前の月", "Previous month";
    ReportNextMonth => "次の月", "Next month";
    ReportClient => "利用者", "Client";
    ReportContacts => "この月の連絡", "Contacts this month";
    ReportMode => "方法", "Mode";
    ReportCount => "回数", "Count";
    ModeVisit => "訪問", "Visit";
    ModePhone => "電話", "Phone";
    ModeOnline => "オンライン", "Online";
    ModeOffice => "来所", "At the office";
    ModeNone => "方法の記入なし", "Mode not given";
    ReportFaceToFace => "うち対面（訪問・来所）", "Of which face to face (visit or at the office)";
    ReportTotal => "合計", "Total";
    ReportDone => "支援の内容", "What was done";
    ReportState => "本人の様子", "How the person is doing";
    ReportNext => "今後の予定", "Next steps";
    ReportNotes => "この月の訪問記録", "This month's visit notes";
    ReportNoNotes => "この月の訪問記録はありません。", "No visit notes this month.";
    ReportDraft => "訪問記録から下書きを作る", "Draft from the visit notes";
    ReportDraftHint => "下書きは訪問記録から作ります。確定する前に、読み手に合わせて書き直してください。", "The draft comes from the visit notes. Rewrite it for its readers before marking it final.";
    ReportMarkFinal => "内容を確定する", "Mark final";
    ReportFinalOn => "確定済み：{n}", "Final: {n}";
    ReportUnfinal => "確定を取り消して直す", "Undo final to edit";
    ReportNotFinal => "下書き（まだ確定していません）", "Draft (not final yet)";
    ReportShareHeading => "共有の記録", "Who it was shared with";
    ReportShareDay => "共有した日", "Day shared";
    ReportSharePerson => "本人と共有した", "Shared with the person";
    ReportShareEmployer => "事業主と共有した", "Shared with the employer";
    ReportToPerson => "本人", "The person";
    ReportToEmployer => "事業主（本人の同意が必要）", "The employer (needs the person's consent)";
    ReportSharedOn => "{n} に共有", "Shared on {n}";
    ReportNotShared => "まだ共有していません", "Not shared yet";
    ReportRefusedNotFinal => "まだ確定していません。内容を確かめて「内容を確定する」を押してから共有してください。", "The report is not final yet. Check it and mark it final before sharing.";
    ReportRefusedConflict => "端末によって違う項目があります。「要確認」で選んでから共有してください。", "Some parts differ between devices. Choose under Needs review before sharing.";
    ReportRefusedNoConsent => "事業主と共有することに、本人の同意が記録されていません。同意を記録してから共有してください。", "The person's consent to sharing with the employer is not recorded. Record it before sharing.";
    ReportRefusedWithdrawn => "事業主と共有することへの同意は撤回されています。事業主とは共有できません。", "The consent to sharing with the employer was withdrawn. The report cannot be shared with the employer.";
    ReportRefusedBeforeMonth => "共有した日が対象月より前です。日付を確かめてください。", "The day shared is before the report's month. Please check the date.";
    ReportPrint => "印刷する（A4）", "Print (A4)";
    ReportWrittenBy => "作成", "Written by";
    NavActivity => "活動集計", "Activity";
    ActivityTitle => "活動集計（ジョブコーチ別・月ごと）", "Activity by job coach and month";
    ActivityHow => "ジョブコーチは訪問記録の「ジョブコーチ・同行者」欄の最初の名前です。利用者は、その月の末までのいちばん新しい訪問記録の名前で数えます。計画の訪問は、週の計画ならその月に始まる週（月曜日）の数をかけた回数です。", "A job coach is the first name in a visit note's \"Job coach(es)\" field. A client counts for the coach named in their newest note up to the month's end. Weekly planned visits count once for each week starting (on Monday) in the month.";
    ActivityCoach => "ジョブコーチ", "Job coach";
    ActivityByMode => "方法別の連絡", "Contacts by mode";
    ActivityByPhase => "段階別の連絡", "Contacts by phase";
    PhaseNone => "段階の記入なし", "Phase not given";
    ActivityPlanned => "計画の訪問", "Planned visits";
    ActivityActual => "対面の実績", "Face-to-face visits";
    ActivityClients => "利用者数", "Clients";
    ActivityNotMet => "この月に対面のない利用者", "Clients not met face to face this month";
    ActivityNone => "この月の記録も計画もありません。", "No notes or plans this month.";
    AuditReportShared => "支援レポートの共有", "Support report shared";
    AuditPlanChanged => "支援計画の変更", "Support plan changed";
    // support2: the timeline (経過), compare any two, start from the last record
    TimelineLink => "経過を見る", "See progress over time";
    TimelineTitle => "経過", "Progress over time";
    TimelineRecords => "記録の一覧（日付順）", "Every record, by date";
    TimelineDate => "日付", "Date";
    TimelineKind => "種類", "Kind";
    TimelineKeyValues => "主な内容", "Key points";
    TimelineState => "状態", "State";
    TimelineOpen => "開く", "Open";
    TimelineNextVisit => "次回", "Next visit";
    TimelineConflict => "要確認", "Needs review";
    TimelineNoDay => "日付なし（作成日）", "no date (day made)";
    TimelineCompareWithPrevious => "前回と比べる", "Compare with the one before";
    TimelineSignsHeading => "気づくサインの変化（MSFAS（4））", "Signs noticed, over time (MSFAS (4))";
    TimelineSignsHelp => "どの回にどのサインを選んだか。●は選んだサイン、?は要確認です。表にも同じ内容があります。", "Which signs were chosen in which assessment. ● chosen, ? needs review. The table says the same.";
    TimelineSign => "サイン", "Sign";
    TimelineTimes => "選んだ回数", "Times chosen";
    MarkYes => "あり", "Chosen";
    MarkNo => "なし", "Not chosen";
    TimelineCountsHeading => "項目ごとの数", "How many in each part";
    TimelineCountsHelp => "MSFASの各設問に書いた数（サインの数、ストレスを感じる状況の数など）。", "How many entries each part of MSFAS holds (signs, stressful situations, and so on).";
    TimelineCategory => "項目", "Part";
    CategorySigns => "気づくサイン（4）", "Signs noticed (4)";
    CategorySituations => "ストレスを感じる状況（1）", "Stressful situations (1)";
    CategoryTiring => "疲れやすい作業・活動（2）", "Tiring tasks (2)";
    CategoryBuffers => "意欲的にできる場面（5）", "Situations that go well (5)";
    TimelineCopingHeading => "疲れたときにとる行動（MSFAS（3））", "What the person does when tired (MSFAS (3))";
    TimelineCoping => "とる行動", "What they do";
    TimelineNoAssessment => "MSFASの記録があると、サインや対処の変化をここに表示します。", "Once there is an MSFAS, its signs and coping over time are shown here.";
    TimelinePrint => "経過を印刷する", "Print the progress";
    ComparePick => "比べる2つを選ぶ", "Choose two to compare";
    CompareFirst => "1つ目", "First";
    CompareSecond => "2つ目", "Second";
    CompareShow => "比べる", "Compare";
    ComparePickDifferent => "違う2つを選んでください。", "Choose two different records.";
    StartFromLastAssessment => "前回のMSFASから始める", "Start from the last MSFAS";
    StartFromLastVisitNote => "前回の訪問記録から始める", "Start from the last visit note";
    StartFromLastHelp => "前回から引き継ぐ項目：", "Carried over from the last one:";
    // wt-a: retired versions on the server (issue 22)
    RefusedRetiredInstrument => "送信できませんでした：この様式の版は使用終了になり、新しい記録には使えません。記録を開いて「この下書きを新しい版に移す」を押し、もう一度同期してください。", "Not sent: this version of the form is retired and takes no new records. Open the record, press \"Move this draft to the new version\", and sync again.";
    // r5-b: the timeline's newest first, compare any instrument (issues 21, 22)
    TimelineShowingRows => "新しい{n}件を表示しています。", "Showing the newest {n}.";
    TimelineShowingColumns => "新しい{n}回分を表示しています。", "Showing the newest {n} assessments.";
    TimelineOfAll => "（全{n}件）", "({n} in all)";
    TimelineShowAll => "すべて表示する（全{n}件）", "Show everything ({n} records)";
    CompareVersion => "（第{n}版）", "(version {n})";
    CompareForm => "様式", "Form";
    CompareSameForm => "同じ様式の記録を2つ選んでください。", "Choose two records of the same form.";
    CompareNotInVersion => "この版にはない設問", "Not asked in this version";
    CompareOneVersionOnly => "一方の版だけの設問", "Asked in one version only";
    // support-c: a month that ended without face to face, the plan and reports disclosed (issue 21)
    DueMonthMissed => "{n}は対面なし", "No face-to-face in {n}";
    DueMonthMissedCount => "（{n}回）", " ({n})";
    DisclosureReports => "支援レポート（月ごと）", "Monthly support reports";
    DisclosureNoReports => "支援レポートはありません。", "No support reports.";
    DisclosureReportFinal => "確定", "Marked final";
    DueMonthMissedHint => "その月に会っていた場合は、その日付で訪問記録を書くと消えます。", "If you did meet that month, write the visit note with that day and this goes away.";
}

impl From<Lang> for yorisoi_domain::export::Lang {
    fn from(lang: Lang) -> Self {
        match lang {
            Lang::Ja => Self::Ja,
            Lang::En => Self::En,
        }
    }
}

/// "36歳" / "age 36".
pub fn age_text(lang: Lang, age: u16) -> String {
    match lang {
        Lang::Ja => format!("（{age}歳）"),
        Lang::En => format!("(age {age})"),
    }
}

/// The current language and furigana preference, shared through context. `Copy`, so closures
/// can hold it freely.
#[derive(Clone, Copy, Debug)]
pub struct I18n {
    pub lang: RwSignal<Lang>,
    pub furigana: RwSignal<bool>,
}

impl I18n {
    pub fn t(self, key: Key) -> &'static str {
        text(self.lang.get(), key)
    }
}

/// Puts the language (as last chosen on this device) in context and keeps `<html lang>` and the
/// stored setting in step with it.
pub fn provide() -> I18n {
    let stored = crate::settings::load();
    let lang = RwSignal::new(stored.lang);
    let furigana = RwSignal::new(stored.furigana);
    Effect::new(move |_| {
        let lang = lang.get();
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", lang.tag());
        }
        let furigana = furigana.get();
        crate::settings::update(|s| {
            s.lang = lang;
            s.furigana = furigana;
        });
    });
    let i18n = I18n { lang, furigana };
    provide_context(i18n);
    i18n
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// A reactive text for views: `{tr(Key::NavClients)}`.
pub fn tr(key: Key) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let i18n = use_i18n();
    move || i18n.t(key)
}

/// A text with `{n}` filled in, in the current language (tracked where read).
pub fn trn(key: Key, n: impl std::fmt::Display) -> String {
    use_i18n().t(key).replace("{n}", &n.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_a_non_empty_text_in_both_languages() {
        for &key in Key::ALL {
            for lang in [Lang::Ja, Lang::En] {
                assert!(
                    !text(lang, key).trim().is_empty(),
                    "{key:?} is empty in {lang:?}"
                );
            }
        }
    }

    #[test]
    fn japanese_and_english_texts_differ_where_they_should() {
        assert_ne!(
            text(Lang::Ja, Key::NavClients),
            text(Lang::En, Key::NavClients)
        );
        assert_eq!(Lang::Ja.other(), Lang::En);
        assert_eq!(Lang::En.other().tag(), "ja");
    }
}
