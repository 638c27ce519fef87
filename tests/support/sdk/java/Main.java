// Test runner: builds the exported WechatPayConfig and prints what it holds.
public final class Main {
  public static void main(String[] args) {
    System.out.print(WechatPayConfig.build().describe());
  }
}
