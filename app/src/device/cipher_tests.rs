use super::*;

fn device() -> [u8; 32] {
    [7; 32]
}

fn client(n: u8) -> ClientId {
    ClientId::new_v7(1 + u64::from(n), [n; 10])
}

#[test]
fn a_sealed_value_opens_only_with_its_clients_key_and_its_place() {
    let cipher = client_cipher(&device(), client(1));
    let sealed = seal_with(&cipher, [1; NONCE], b"yorisoi.outbox.a.1", b"secret").expect("seal");
    assert_eq!(&sealed[..NONCE], &[1; NONCE]);
    assert!(
        !sealed.windows(6).any(|w| w == b"secret"),
        "not in the clear"
    );
    let mut flipped = sealed.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    let mut nonce_changed = sealed.clone();
    nonce_changed[0] ^= 1;
    let other_client = client_cipher(&device(), client(2));
    let other_device = client_cipher(&[8; 32], client(1));
    // (cipher, place, bytes, opens)
    let cases: [(&XChaCha20Poly1305, &[u8], &[u8], bool); 7] = [
        (&cipher, b"yorisoi.outbox.a.1", &sealed, true),
        (&cipher, b"yorisoi.outbox.a.2", &sealed, false),
        (&other_client, b"yorisoi.outbox.a.1", &sealed, false),
        (&other_device, b"yorisoi.outbox.a.1", &sealed, false),
        (&cipher, b"yorisoi.outbox.a.1", &flipped, false),
        (&cipher, b"yorisoi.outbox.a.1", &nonce_changed, false),
        (&cipher, b"yorisoi.outbox.a.1", &sealed[..NONCE - 1], false),
    ];
    for (n, (cipher, place, bytes, opens)) in cases.into_iter().enumerate() {
        let opened = open_with(cipher, place, bytes);
        if opens {
            assert_eq!(opened.as_deref(), Ok(&b"secret"[..]), "case {n}");
        } else {
            assert_eq!(opened, Err(VaultError::Damaged), "case {n}");
        }
    }
}

#[test]
fn keys_are_derived_per_client_and_purpose_and_stay_the_same() {
    let a = derive(&device(), CLIENT_KEY_INFO, client(1));
    assert_eq!(a, derive(&device(), CLIENT_KEY_INFO, client(1)));
    assert_ne!(a, derive(&device(), BULK_KEY_INFO, client(1)));
    assert_ne!(a, derive(&device(), CLIENT_KEY_INFO, client(2)));
    assert_ne!(a, derive(&[0; 32], CLIENT_KEY_INFO, client(1)));
}

#[test]
fn a_password_gives_one_key_for_one_salt() {
    // Small parameters: the test checks the layout, not Argon2's strength.
    let key = password_key("correct horse", b"sixteen byte slt", 64, 1);
    assert_eq!(
        key,
        password_key("correct horse", b"sixteen byte slt", 64, 1)
    );
    assert_ne!(
        key,
        password_key("correct horsf", b"sixteen byte slt", 64, 1)
    );
    assert_ne!(
        key,
        password_key("correct horse", b"sixteen byte slx", 64, 1)
    );
}
