<%@ page contentType="text/plain;charset=UTF-8" session="false" %><%--
  The demo backend of `./mvnw package cargo:run`: it answers every path with what it received, so
  that a curl through hostproxy shows the request routed with its path and query intact.
--%><%
  String path = request.getRequestURI().substring(request.getContextPath().length());
  String query = request.getQueryString();
  out.print("Hello from the demo backend, reached through hostproxy.\n");
  out.print("You asked for: " + request.getMethod() + " " + (path.isEmpty() ? "/" : path)
      + (query == null ? "" : "?" + query) + "\n");
  for (String name : new String[] {"Host", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "Via"}) {
    out.print(name + ": " + request.getHeader(name) + "\n");
  }
%>
