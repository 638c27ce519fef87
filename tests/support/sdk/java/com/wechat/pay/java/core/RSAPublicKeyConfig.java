// Stand-in for wechatpay-java's RSAPublicKeyConfig (WeChat Pay public-key mode).
package com.wechat.pay.java.core;

import java.nio.charset.StandardCharsets;
import java.security.PublicKey;

public final class RSAPublicKeyConfig implements Config {
  private final Builder b;

  private RSAPublicKeyConfig(Builder b) {
    this.b = b;
  }

  @Override
  public String describe() {
    return "kind=public_key\nmerchantId=" + b.merchantId + "\nmerchantSerialNumber="
        + b.merchantSerialNumber + "\napiV3Key=" + new String(b.apiV3Key, StandardCharsets.UTF_8)
        + "\nprivateKey=" + b.privateKey.getAlgorithm() + "\npublicKeyId=" + b.publicKeyId
        + "\npublicKey=" + b.publicKey.getAlgorithm() + "\n";
  }

  public static class Builder extends AbstractRSAConfigBuilder<Builder> {
    protected byte[] apiV3Key;
    protected PublicKey publicKey;
    protected String publicKeyId;

    public Builder apiV3Key(String apiV3Key) {
      this.apiV3Key = apiV3Key.getBytes(StandardCharsets.UTF_8);
      return this;
    }

    public Builder publicKey(String publicKey) {
      this.publicKey = (PublicKey) parse(publicKey, false);
      return this;
    }

    public Builder publicKey(PublicKey publicKey) {
      this.publicKey = publicKey;
      return this;
    }

    public Builder publicKeyFromPath(String publicKeyPath) {
      this.publicKey = loadPublicKeyFromPath(publicKeyPath);
      return this;
    }

    public Builder publicKeyId(String publicKeyId) {
      this.publicKeyId = publicKeyId;
      return this;
    }

    @Override
    protected Builder self() {
      return this;
    }

    public RSAPublicKeyConfig build() {
      requireNonNull(merchantId, "merchantId");
      requireNonNull(privateKey, "privateKey");
      requireNonNull(merchantSerialNumber, "merchantSerialNumber");
      requireNonNull(apiV3Key, "apiV3Key");
      requireNonNull(publicKey, "publicKey");
      requireNonNull(publicKeyId, "publicKeyId");
      return new RSAPublicKeyConfig(this);
    }
  }
}
