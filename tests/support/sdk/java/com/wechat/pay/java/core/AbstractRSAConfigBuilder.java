// Stand-in for wechatpay-java's AbstractRSAConfigBuilder: the same methods; loading a
// key from a path really reads and parses it (upstream: PemUtil.loadPrivateKeyFromPath).
package com.wechat.pay.java.core;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

public abstract class AbstractRSAConfigBuilder<T extends AbstractRSAConfigBuilder<T>> {

  protected String merchantId;
  protected PrivateKey privateKey;
  protected String merchantSerialNumber;

  protected abstract T self();

  public T merchantId(String merchantId) {
    this.merchantId = merchantId;
    return self();
  }

  public T privateKey(String privateKey) {
    this.privateKey = (PrivateKey) parse(privateKey, true);
    return self();
  }

  public T privateKey(PrivateKey privateKey) {
    this.privateKey = privateKey;
    return self();
  }

  public T privateKeyFromPath(String keyPath) {
    this.privateKey = (PrivateKey) parse(read(keyPath), true);
    return self();
  }

  public T merchantSerialNumber(String merchantSerialNumber) {
    this.merchantSerialNumber = merchantSerialNumber;
    return self();
  }

  static String read(String path) {
    try {
      return new String(Files.readAllBytes(Paths.get(path)), StandardCharsets.UTF_8);
    } catch (Exception e) {
      throw new IllegalArgumentException("cannot read " + path + " (working directory "
          + System.getProperty("user.dir") + ")", e);
    }
  }

  static Object parse(String pem, boolean priv) {
    try {
      String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
      byte[] der = Base64.getDecoder().decode(b64);
      KeyFactory kf = KeyFactory.getInstance("RSA");
      return priv ? kf.generatePrivate(new PKCS8EncodedKeySpec(der))
          : kf.generatePublic(new X509EncodedKeySpec(der));
    } catch (Exception e) {
      throw new IllegalArgumentException("not a " + (priv ? "PKCS#8 private" : "public") + " key", e);
    }
  }

  static PublicKey loadPublicKeyFromPath(String path) {
    return (PublicKey) parse(read(path), false);
  }

  static void requireNonNull(Object o, String what) {
    if (o == null) {
      throw new NullPointerException(what);
    }
  }
}
