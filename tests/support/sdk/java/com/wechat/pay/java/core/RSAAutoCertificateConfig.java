// Stand-in for wechatpay-java's RSAAutoCertificateConfig (certificate mode; upstream
// downloads platform certificates in build(), this stand-in does not touch the network).
package com.wechat.pay.java.core;

import java.nio.charset.StandardCharsets;

public final class RSAAutoCertificateConfig implements Config {
  private final Builder b;

  private RSAAutoCertificateConfig(Builder b) {
    this.b = b;
  }

  @Override
  public String describe() {
    return "kind=auto\nmerchantId=" + b.merchantId + "\nmerchantSerialNumber="
        + b.merchantSerialNumber + "\napiV3Key=" + new String(b.apiV3Key, StandardCharsets.UTF_8)
        + "\nprivateKey=" + b.privateKey.getAlgorithm() + "\n";
  }

  public static class Builder extends AbstractRSAConfigBuilder<Builder> {
    protected byte[] apiV3Key;

    public Builder apiV3Key(String apiV3Key) {
      this.apiV3Key = apiV3Key.getBytes(StandardCharsets.UTF_8);
      return this;
    }

    @Override
    protected Builder self() {
      return this;
    }

    public RSAAutoCertificateConfig build() {
      requireNonNull(merchantId, "merchantId");
      requireNonNull(privateKey, "privateKey");
      requireNonNull(merchantSerialNumber, "merchantSerialNumber");
      requireNonNull(apiV3Key, "apiV3Key");
      return new RSAAutoCertificateConfig(this);
    }
  }
}
