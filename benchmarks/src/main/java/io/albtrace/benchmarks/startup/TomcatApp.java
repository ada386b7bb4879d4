package io.albtrace.benchmarks.startup;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/**
 * The framework start-up application of {@code startup.sh}: an embedded Tomcat (a thousand or so classes of its
 * own) with two servlets. {@code /front} calls {@code /back} on the same server with OkHttp; the application sends
 * one request to {@code /front} with {@code HttpURLConnection}, prints the trace header {@code /back} received,
 * stops Tomcat and exits.
 */
public final class TomcatApp {

    private TomcatApp() {
    }

    public static void main(String[] args) throws Exception {
        File base = Files.createTempDirectory("startup-tomcat").toFile();
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.getAbsolutePath());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.getService().addConnector(connector);
        Context context = tomcat.addContext("", base.getAbsolutePath());
        OkHttpClient okhttp = new OkHttpClient();
        String[] seen = new String[1];
        Tomcat.addServlet(context, "front", new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                String back = "http://127.0.0.1:" + req.getLocalPort() + "/back";
                try (Response response = okhttp.newCall(new Request.Builder().url(back).build()).execute()) {
                    resp.setContentType("text/plain");
                    resp.getWriter().write(response.body().string());
                }
            }
        });
        Tomcat.addServlet(context, "back", new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                seen[0] = req.getHeader("X-Amzn-Trace-Id");
                resp.setContentType("text/plain");
                resp.getWriter().write("ok");
            }
        });
        context.addServletMappingDecoded("/front", "front");
        context.addServletMappingDecoded("/back", "back");
        tomcat.start();
        try {
            HttpURLConnection connection = (HttpURLConnection) new URL("http://127.0.0.1:" + connector.getLocalPort()
                    + "/front").openConnection();
            String body;
            try (InputStream in = connection.getInputStream()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            SmallApp.check(connection.getResponseCode(), body);
        } finally {
            okhttp.dispatcher().executorService().shutdown();
            okhttp.connectionPool().evictAll();
            tomcat.stop();
            tomcat.destroy();
        }
        System.out.println("seen [/back=" + seen[0] + "]");
    }
}
