package io.cdpaccess.audit;

import io.cdpaccess.files.OwnerOnly;
import io.cdpaccess.ids.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The Ed25519 keys that sign checkpoints, in {@code <data_dir>/audit-keys/}: the current private
 * key ({@code checkpoint-<id>.key}, PKCS#8 PEM, owner-only), every public key ever used ({@code
 * checkpoint-<id>.pub}, X.509 PEM), and {@code current} naming the key in use. A key's id is the
 * first 8 bytes of the SHA-256 of its public key, in hex. Rotating makes a new current key and
 * removes the old private key; its public key stays, so older checkpoints still verify.
 */
public final class CheckpointKeys {

    /** The key that signs. */
    public record SigningKey(String id, PrivateKey privateKey, PublicKey publicKey) {}

    private static final String ALGORITHM = "Ed25519";

    private final Path dir;

    public CheckpointKeys(Path dataDir) {
        this.dir = dataDir.resolve("audit-keys");
    }

    /** Where the keys are. */
    public Path directory() {
        return dir;
    }

    /** The current key, made (owner-only) at first use: the server's, which owns the data directory. */
    public synchronized SigningKey current() throws IOException {
        Optional<SigningKey> existing = existing();
        return existing.isPresent() ? existing.get() : rotate();
    }

    /**
     * The current key if there is one. A command never makes one: run as another account (root
     * through sudo) it would leave a key the service cannot read.
     */
    public synchronized Optional<SigningKey> existing() throws IOException {
        Optional<String> id = currentId();
        if (id.isEmpty()) {
            return Optional.empty();
        }
        Path key = dir.resolve("checkpoint-" + id.get() + ".key");
        if (!Files.isRegularFile(key)) {
            throw new IOException("the current checkpoint key " + key + " is missing; restore it, or run "
                    + "`cdp-access audit key rotate` to make a new one");
        }
        PublicKey publicKey = publicKeys().get(id.get());
        if (publicKey == null) {
            throw new IOException(
                    "the public key of the current checkpoint key " + id.get() + " is missing from " + dir);
        }
        try {
            PrivateKey privateKey = KeyFactory.getInstance(ALGORITHM)
                    .generatePrivate(new PKCS8EncodedKeySpec(pem(Files.readString(key), "PRIVATE KEY")));
            return Optional.of(new SigningKey(id.get(), privateKey, publicKey));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException("the checkpoint key " + key + " is not an Ed25519 PKCS#8 key: " + e.getMessage(), e);
        }
    }

    /** Makes a new current key; the old public keys stay, the old private key is removed. */
    public synchronized SigningKey rotate() throws IOException {
        OwnerOnly.createDirectories(dir);
        KeyPair pair;
        try {
            pair = KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 is built into every Java 17 runtime", e);
        }
        String id = idOf(pair.getPublic());
        Optional<String> previous = currentId();
        writeOwnerOnly(
                dir.resolve("checkpoint-" + id + ".key"),
                pemText("PRIVATE KEY", pair.getPrivate().getEncoded()));
        writeOwnerOnly(dir.resolve("checkpoint-" + id + ".pub"), publicPem(pair.getPublic()));
        writeOwnerOnly(dir.resolve("current"), id + "\n");
        if (previous.isPresent() && !previous.get().equals(id)) {
            Files.deleteIfExists(dir.resolve("checkpoint-" + previous.get() + ".key"));
        }
        return new SigningKey(id, pair.getPrivate(), pair.getPublic());
    }

    /** Every public key kept, by id. */
    public Map<String, PublicKey> publicKeys() throws IOException {
        Map<String, PublicKey> keys = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return keys;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "checkpoint-*.pub")) {
            for (Path file : files) {
                PublicKey key = readPublicKey(Files.readString(file), file.toString());
                keys.put(idOf(key), key);
            }
        }
        return keys;
    }

    /** A public key from PEM text ({@code -----BEGIN PUBLIC KEY-----}). */
    public static PublicKey readPublicKey(String pemText, String where) throws IOException {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(pem(pemText, "PUBLIC KEY")));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException(where + " is not an Ed25519 public key in PEM: " + e.getMessage(), e);
        }
    }

    /** A key's id: the first 8 bytes of the SHA-256 of its X.509 encoding, in hex. */
    public static String idOf(PublicKey key) {
        return HexFormat.of().formatHex(Sha256.of(key.getEncoded()), 0, 8);
    }

    /** The public key as PEM, as {@code audit key show} prints it. */
    public static String publicPem(PublicKey key) {
        return pemText("PUBLIC KEY", key.getEncoded());
    }

    /** Signs {@code text} (UTF-8) with {@code key}. */
    static byte[] sign(SigningKey key, String text) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initSign(key.privateKey());
            s.update(text.getBytes(StandardCharsets.UTF_8));
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with Ed25519: " + e.getMessage(), e);
        }
    }

    /** Whether {@code signature} is {@code key}'s over {@code text} (UTF-8). */
    static boolean verify(PublicKey key, String text, byte[] signature) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initVerify(key);
            s.update(text.getBytes(StandardCharsets.UTF_8));
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private Optional<String> currentId() throws IOException {
        Path current = dir.resolve("current");
        if (!Files.isRegularFile(current)) {
            return Optional.empty();
        }
        String id = Files.readString(current).strip();
        if (!id.matches("[0-9a-f]{16}")) {
            throw new IOException(current + " does not name a key; it holds the id of the current checkpoint key");
        }
        return Optional.of(id);
    }

    private void writeOwnerOnly(Path file, String text) throws IOException {
        Path temp = dir.resolve("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        OwnerOnly.createFile(temp);
        Files.writeString(temp, text);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String pemText(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static byte[] pem(String text, String type) {
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("no " + begin + " block");
        }
        return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
    }
}
