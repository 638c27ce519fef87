// Stand-in for wechatpay-java's com.wechat.pay.java.core.Config (an interface upstream).
package com.wechat.pay.java.core;

public interface Config {
  /** Not upstream: what the config holds, one key=value a line, for the test. */
  String describe();
}
