/** Swimmer (Gymnasium v5 swimmer.xml), written in local coordinates from ../shared/REFERENCE.md 1.7. */
export const swimmerXml = `
<mujoco model="swimmer">
  <compiler angle="degree" inertiafromgeom="true"/>
  <option density="4000" viscosity="0.1" integrator="RK4" timestep="0.01"/>
  <size memory="128K"/>
  <default>
    <geom contype="0" conaffinity="0" condim="1" rgba="0.8 0.6 0.4 1"/>
    <joint armature="0.1"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" pos="0 0 -0.1" size="40 40 0.1" condim="3" rgba="0.35 0.5 0.65 1"/>
    <body name="torso" pos="0 0 0">
      <joint name="slider1" type="slide" axis="1 0 0" pos="0 0 0" limited="false"/>
      <joint name="slider2" type="slide" axis="0 1 0" pos="0 0 0" limited="false"/>
      <joint name="free_body_rot" type="hinge" axis="0 0 1" pos="0 0 0" limited="false"/>
      <geom name="frontbody" type="capsule" fromto="1.5 0 0 0.5 0 0" size="0.1" density="1000"/>
      <body name="mid" pos="0.5 0 0">
        <joint name="motor1_rot" type="hinge" axis="0 0 1" pos="0 0 0" limited="true" range="-100 100"/>
        <geom name="mid" type="capsule" fromto="0 0 0 -1 0 0" size="0.1" density="1000"/>
        <body name="back" pos="-1 0 0">
          <joint name="motor2_rot" type="hinge" axis="0 0 1" pos="0 0 0" limited="true" range="-100 100"/>
          <geom name="back" type="capsule" fromto="0 0 0 -1 0 0" size="0.1" density="1000"/>
        </body>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor joint="motor1_rot" gear="150" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="motor2_rot" gear="150" ctrllimited="true" ctrlrange="-1 1"/>
  </actuator>
</mujoco>`;
