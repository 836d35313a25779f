package com.example.greeter;

import java.util.List;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.context.config.annotation.RefreshScope;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * Says the greeting kept in Consul KV ({@code config/greeter/greeting}, refreshed when it changes)
 * and lists the instances of any service registered in Consul.
 */
@SpringBootApplication
public class GreeterApplication {
    public static void main(String[] args) {
        SpringApplication.run(GreeterApplication.class, args);
    }

    /** Rebuilt with the new value when the KV entry changes (Spring Cloud Consul's config watch). */
    @Bean
    @RefreshScope
    Greeting greeting(@Value("${greeting:hello}") String text) {
        return new Greeting(text);
    }

    /** The greeting (not a record: the refresh scope proxies the class). */
    public static class Greeting {
        private final String text;

        public Greeting(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    @RestController
    static class Endpoints {
        private final Greeting greeting;
        private final DiscoveryClient discovery;

        Endpoints(Greeting greeting, DiscoveryClient discovery) {
            this.greeting = greeting;
            this.discovery = discovery;
        }

        @GetMapping("/greeting")
        String greeting() {
            return greeting.text();
        }

        @GetMapping("/instances/{service}")
        List<String> instances(@PathVariable("service") String service) {
            return discovery.getInstances(service).stream().map(ServiceInstance::getUri).map(Object::toString).toList();
        }
    }
}
