<?php
// Stand-in for EasyWeChat 5's Factory::payment($config) (overtrue/wechat 5.x): the keys
// its payment Application reads (app_id, mch_id, key, cert_path, key_path, notify_url).
// cert_path and key_path must be absolute paths of files that exist and parse.

namespace EasyWeChat {
    class Factory
    {
        public static function payment(array $config): array
        {
            foreach (['app_id', 'mch_id', 'key', 'notify_url'] as $k) {
                if (!isset($config[$k]) || !is_string($config[$k]) || $config[$k] === '') {
                    throw new \InvalidArgumentException("$k is required");
                }
            }
            foreach (['cert_path', 'key_path'] as $k) {
                $p = $config[$k] ?? null;
                if (!is_string($p) || !str_starts_with($p, '/') || !is_file($p)) {
                    throw new \InvalidArgumentException("$k must be an absolute path of an existing file: " . var_export($p, true));
                }
            }
            $cert = openssl_x509_read('file://' . $config['cert_path']);
            $key = openssl_pkey_get_private('file://' . $config['key_path']);
            if ($cert === false || $key === false) {
                throw new \InvalidArgumentException('cert_path or key_path does not parse');
            }
            return $config + ['key_matches_cert' => openssl_x509_check_private_key($cert, $key)];
        }
    }
}

namespace {
    // Runner: php easywechat5.php <export file>
    if (realpath($argv[0] ?? '') === __FILE__) {
        $app = \EasyWeChat\Factory::payment(require $argv[1]);
        echo json_encode($app, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES), "\n";
    }
}
