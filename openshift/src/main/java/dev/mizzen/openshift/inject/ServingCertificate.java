package dev.mizzen.openshift.inject;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook's serving certificate, read from PEM files and read again when they change, since
 * OpenShift's service CA and cert-manager rotate them in place. The key may be PKCS#8 or, for RSA,
 * PKCS#1 (what OpenShift's service CA writes).
 */
final class ServingCertificate extends X509ExtendedKeyManager {
  private static final Logger log = LoggerFactory.getLogger(ServingCertificate.class);
  private static final Pattern PEM =
      Pattern.compile("-----BEGIN ([A-Z ]+)-----([^-]+)-----END \\1-----");
  private static final Duration CHECK_EVERY = Duration.ofSeconds(10);
  private static final String ALIAS = "webhook";

  private final Path certChain;
  private final Path privateKey;
  private final long checkEveryNanos;
  private final AtomicReference<Loaded> current = new AtomicReference<>();
  private volatile long checkedAt = System.nanoTime();

  private record Loaded(X509Certificate[] chain, PrivateKey key, List<FileTime> modified) {}

  ServingCertificate(Path certChain, Path privateKey) throws IOException {
    this(certChain, privateKey, CHECK_EVERY.toNanos());
  }

  /**
   * @param checkEveryNanos how long a read pair is used before the files' times are looked at again
   */
  ServingCertificate(Path certChain, Path privateKey, long checkEveryNanos) throws IOException {
    this.certChain = certChain;
    this.privateKey = privateKey;
    this.checkEveryNanos = checkEveryNanos;
    current.set(load());
  }

  SSLContext sslContext() throws IOException {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(new KeyManager[] {this}, null, null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot set up TLS: " + e.getMessage(), e);
    }
  }

  private Loaded load() throws IOException {
    List<FileTime> modified =
        List.of(Files.getLastModifiedTime(certChain), Files.getLastModifiedTime(privateKey));
    X509Certificate[] chain = readChain(certChain);
    PrivateKey key = readKey(privateKey);
    try {
      // Checks that the key goes with the certificate, as the key manager factory would.
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry(ALIAS, key, new char[0], chain);
      KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm())
          .init(store, new char[0]);
    } catch (GeneralSecurityException e) {
      throw new IOException(
          privateKey + " does not go with " + certChain + ": " + e.getMessage(), e);
    }
    return new Loaded(chain, key, modified);
  }

  /** The certificates of a PEM file, in their order; at least one. */
  static X509Certificate[] readChain(Path file) throws IOException {
    X509Certificate[] chain;
    try (InputStream in = Files.newInputStream(file)) {
      chain =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(in)
              .toArray(X509Certificate[]::new);
    } catch (GeneralSecurityException e) {
      throw new IOException(file + ": not a PEM certificate chain: " + e.getMessage(), e);
    }
    if (chain.length == 0) {
      throw new IOException(file + ": no certificate in it");
    }
    return chain;
  }

  static PrivateKey readKey(Path file) throws IOException {
    Matcher m = PEM.matcher(Files.readString(file));
    if (!m.find()) {
      throw new IOException(file + ": no PEM private key in it");
    }
    String type = m.group(1);
    byte[] der = Base64.getMimeDecoder().decode(m.group(2).trim());
    byte[] pkcs8 =
        switch (type) {
          case "PRIVATE KEY" -> der;
          case "RSA PRIVATE KEY" -> rsaPkcs1ToPkcs8(der);
          default ->
              throw new IOException(
                  file
                      + ": a \""
                      + type
                      + "\" key is not supported; use PKCS#8 (\"PRIVATE KEY\") or PKCS#1 RSA");
        };
    for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
      } catch (GeneralSecurityException e) {
        // Not this algorithm; try the next.
      }
    }
    throw new IOException(file + ": not an RSA, EC or Ed25519 private key");
  }

  /** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo (version 0, rsaEncryption). */
  private static byte[] rsaPkcs1ToPkcs8(byte[] pkcs1) {
    byte[] version = {0x02, 0x01, 0x00};
    byte[] algorithm = {
      0x30,
      0x0d,
      0x06,
      0x09,
      0x2a,
      (byte) 0x86,
      0x48,
      (byte) 0x86,
      (byte) 0xf7,
      0x0d,
      0x01,
      0x01,
      0x01,
      0x05,
      0x00
    };
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(version);
    body.writeBytes(algorithm);
    body.writeBytes(der(0x04, pkcs1));
    return der(0x30, body.toByteArray());
  }

  private static byte[] der(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int n = content.length;
    if (n < 0x80) {
      out.write(n);
    } else {
      int bytes = (32 - Integer.numberOfLeadingZeros(n) + 7) / 8;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write((n >>> (8 * i)) & 0xff);
      }
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  /** Reads the files again when they changed; a broken rotation keeps the last good pair. */
  private Loaded fresh() {
    long now = System.nanoTime();
    Loaded loaded = current.get();
    if (now - checkedAt < checkEveryNanos) {
      return loaded;
    }
    checkedAt = now;
    try {
      List<FileTime> modified =
          List.of(Files.getLastModifiedTime(certChain), Files.getLastModifiedTime(privateKey));
      if (!modified.equals(loaded.modified())) {
        loaded = load();
        current.set(loaded);
        log.info(
            "webhook certificate {} read again: now valid until {}",
            certChain,
            loaded.chain()[0].getNotAfter().toInstant());
      }
    } catch (IOException e) {
      log.warn(
          "webhook certificate {} changed but cannot be used, keeping the previous one: {}",
          certChain,
          e.getMessage());
    }
    return loaded;
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return matches(keyType) ? ALIAS : null;
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return matches(keyType) ? ALIAS : null;
  }

  private boolean matches(String keyType) {
    String algorithm = fresh().key().getAlgorithm();
    return keyType.equals(algorithm)
        || (keyType.startsWith("EC") && algorithm.equals("EC"))
        || keyType.equals("RSASSA-PSS") && algorithm.equals("RSA");
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return ALIAS.equals(alias) ? current.get().chain().clone() : null;
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return ALIAS.equals(alias) ? current.get().key() : null;
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return matches(keyType) ? new String[] {ALIAS} : null;
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return null;
  }
}
